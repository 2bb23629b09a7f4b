"""The permissions accounts adds to the roles (core's role registry), and its view check."""

from guildbook.core import roles

# Editing the organisation directory: organisations, departments, teams and who is in them.
EDIT_DIRECTORY = "accounts.change_team"

roles.grant(roles.STAFF_DEVELOPMENT, EDIT_DIRECTORY)
roles.grant(roles.ADMINISTRATOR, EDIT_DIRECTORY)

directory_editor_required = roles.permission_required(EDIT_DIRECTORY)
