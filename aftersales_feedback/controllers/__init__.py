from . import club, main, pbx
