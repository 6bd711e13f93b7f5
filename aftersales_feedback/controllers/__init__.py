from . import main, pbx
