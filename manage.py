#!/usr/bin/env python
from guildbook.cli import main

if __name__ == "__main__":
    main()
