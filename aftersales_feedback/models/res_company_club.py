"""The company's customer club: its loyalty program, created with the company."""

from odoo import Command, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_club_program_id = fields.Many2one(
        "loyalty.program",
        "Customer Club",
        domain="[('program_type', '=', 'loyalty'), ('company_id', '=', id)]",
        help="The loyalty program of the company's customer club: every customer who bought is a member.",
    )

    def _aftersales_ensure_club(self):
        """Create the customer club program of each company that has none (install, new company,
        upgrade). A points program: 10 points per confirmed order, 10 % off for 100 points."""
        missing = self.filtered(lambda company: not company.aftersales_club_program_id)
        if not missing:
            return
        Program = self.env["loyalty.program"].sudo()  # set-up data, created whoever adds the company
        programs = Program.create([company._aftersales_prepare_club_vals() for company in missing])
        for company, program in zip(missing, programs, strict=True):
            company.sudo().aftersales_club_program_id = program

    def _aftersales_translate_club(self, langs):
        """The club programs' name and point name in ``langs``, from the code's translations, where
        they are still the words the install gave them (a name the manager chose is kept)."""
        programs = self.mapped("aftersales_club_program_id").sudo()  # set-up data, as at creation
        defaults = {"name": "Customer Club", "portal_point_name": "Club points"}
        for lang in set(langs) - {"en_US"}:
            translated = self.with_context(lang=lang).env
            words = {"name": translated._("Customer Club"), "portal_point_name": translated._("Club points")}
            for program in programs:
                for field, english in defaults.items():
                    if program.with_context(lang="en_US")[field] == english and words[field] != english:
                        program.update_field_translations(field, {lang: words[field]})

    def _aftersales_prepare_club_vals(self):
        self.ensure_one()
        return {
            "name": self.env._("Customer Club"),
            "program_type": "loyalty",
            "company_id": self.id,
            "applies_on": "both",
            "trigger": "auto",
            "portal_visible": True,
            "portal_point_name": self.env._("Club points"),
            "rule_ids": [
                Command.create({"reward_point_mode": "order", "reward_point_amount": 10, "minimum_amount": 0})
            ],
            "reward_ids": [
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount_mode": "percent",
                        "discount": 10,
                        "discount_applicability": "order",
                        "required_points": 100,
                    }
                )
            ],
            "communication_plan_ids": [Command.clear()],
        }
