from . import club, main
