"""The command line, `piste`: each command imports the program; nothing imports them back."""
