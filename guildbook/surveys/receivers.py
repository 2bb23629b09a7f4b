"""Training's in-transaction hooks, answered by surveys (see guildbook.training.signals)."""
