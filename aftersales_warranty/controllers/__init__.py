from . import portal, portal_visit, registration
