"""The Discord adapter (discord.py): translates interactions into service calls and renders results."""
