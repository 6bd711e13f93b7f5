from datetime import datetime

import pytz

from odoo import Command
from odoo.tests import new_test_user

from .claim_common import AftersalesClaimCommon

TEHRAN = pytz.timezone("Asia/Tehran")


def tehran(text):
    """The UTC naive datetime (as Odoo stores it) of ``text``, a local time in Tehran."""
    local = TEHRAN.localize(datetime.strptime(text, "%Y-%m-%d %H:%M"))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class AftersalesVisitCommon(AftersalesClaimCommon):
    """Two technicians working Saturday to Wednesday in Tehran: Reza mornings only (08:00-12:00, his
    own working hours), Sara 08:00-17:00 (the company's); at most 3 visits per technician and day.
    The claim common's air conditioners delivered to the customer; tests run on Monday 2026-06-01
    08:00 UTC (11:30 in Tehran). Nothing here relies on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "Asia/Tehran"
        cls.work_calendar = cls._work_calendar("Technicians Sat-Wed", 8, 17)
        cls.short_calendar = cls._work_calendar("Mornings Sat-Wed", 8, 12)
        cls.company.resource_calendar_id = cls.work_calendar
        cls.company.aftersales_visit_max_per_day = 3
        cls.technician = new_test_user(
            cls.env,
            login="as_technician",
            groups="aftersales_warranty.group_aftersales_technician",
            name="Technician Reza",
            tz="Asia/Tehran",
        )
        cls.technician_b = new_test_user(
            cls.env,
            login="as_technician_b",
            groups="aftersales_warranty.group_aftersales_technician",
            name="Technician Sara",
            tz="Asia/Tehran",
        )
        # Reza's own working hours: mornings only (Sara works the company's hours).
        cls.env["resource.resource"].create(
            {
                "name": cls.technician.name,
                "user_id": cls.technician.id,
                "calendar_id": cls.short_calendar.id,
                "company_id": cls.company.id,
            }
        )
        cls.customer.write({"phone": "+989121234567", "street": "12 Vali-Asr", "city": "Tehran"})
        cls.customer_shipping.write({"street": "7 Pasdaran", "city": "Tehran"})
        cls.Visit = cls.env["aftersales.visit"]

    @classmethod
    def _work_calendar(cls, name, hour_from, hour_to):
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": "Asia/Tehran",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.clear(),
                    *[
                        Command.create(
                            {
                                "name": f"Day {day}",
                                "dayofweek": day,
                                "hour_from": hour_from,
                                "hour_to": hour_to,
                                "day_period": "morning",
                            }
                        )
                        for day in ("5", "6", "0", "1", "2")
                    ],
                ],
            }
        )

    @classmethod
    def _visit(cls, start=None, end=None, technician=None, **vals):
        """A draft visit to the customer (as the agent), at Tehran local times ``start``/``end``."""
        values = {"partner_id": cls.customer.id, "kind": "repair", **vals}
        if technician is not False:
            values["technician_id"] = (technician or cls.technician_b).id
        if start:
            values["date_start"] = tehran(start)
        if end:
            values["date_end"] = tehran(end)
        return cls.env["aftersales.visit"].with_user(cls.agent).create(values).with_user(cls.env.user)
