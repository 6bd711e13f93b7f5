from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False):
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        # The club programs are made by code at install, before a language may be loaded: their
        # words get the language's translation when it is (Persian loaded after the install).
        if (
            "aftersales_feedback" in modules
            and "aftersales_club_program_id" in self.env["res.company"]._fields
        ):
            self.env["res.company"].sudo().search([])._aftersales_translate_club(langs)
        return result
