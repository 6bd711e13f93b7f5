import base64

from odoo.tests import new_test_user

from .common import AftersalesFeedbackCommon

CDR_HEADER = (
    "accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,"
    "billsec,disposition,amaflags,uniqueid,userfield"
)


def cdr_line(src, dst, start, disposition, uniqueid, duration=30, billsec=20, channel="", dstchannel=""):
    """One Master.csv line as cdr-csv writes it (every value quoted)."""
    answer = start if disposition == "ANSWERED" else ""
    values = [
        "",
        src,
        dst,
        "from-internal",
        f'"{src}" <{src}>',
        channel,
        dstchannel,
        "Dial",
        f"SIP/{dst},30",
        start,
        answer,
        start,
        str(duration),
        str(billsec),
        disposition,
        "DOCUMENTATION",
        uniqueid,
        "",
    ]
    return ",".join('"{}"'.format(value.replace('"', '""')) for value in values)


class AftersalesCallCommon(AftersalesFeedbackCommon):
    """An Iranian company (Tehran time) with two numbers on its exchange, two agents with extensions
    101 and 102, and customers with Iranian and foreign phones."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iran = cls.env.ref("base.ir")
        cls.company.write({"country_id": cls.iran.id, "aftersales_pbx_numbers": "021 8877 6655, 02188776656"})
        cls.company.partner_id.tz = "Asia/Tehran"
        cls.company._aftersales_generate_pbx_token()
        cls.token = cls.company.sudo().aftersales_pbx_token
        cls.agent.aftersales_pbx_extension = "101"
        cls.manager.aftersales_pbx_extension = "102"
        Partner = cls.env["res.partner"]
        cls.reza = Partner.create({"name": "Reza", "phone": "0912 345 6789", "country_id": cls.iran.id})
        cls.sara = Partner.create({"name": "Sara", "phone": "+98 935 111 2233"})
        cls.john = Partner.create(
            {"name": "John", "phone": "+1 415 555 2671", "country_id": cls.env.ref("base.us").id}
        )
        cls.Call = cls.env["aftersales.call"]
        cls.call_back_type = cls.env.ref("aftersales_feedback.mail_activity_type_call_back")
        cls.portal = new_test_user(cls.env, login="call_portal", groups="base.group_portal")

    def _cdr(self, src, dst, start, disposition="ANSWERED", uniqueid=None, **extra):
        self._uid_seq = getattr(self, "_uid_seq", 0) + 1
        return {
            "src": src,
            "dst": dst,
            "start": start,
            "duration": extra.pop("duration", 30),
            "billsec": extra.pop("billsec", 20 if disposition == "ANSWERED" else 0),
            "disposition": disposition,
            "uniqueid": uniqueid or f"1767000000.{self._uid_seq}",
            **extra,
        }

    def _intake(self, rows, company=None, source="webhook"):
        result, _calls = self.Call._aftersales_intake(company or self.company, rows, source)
        return result

    def _import(self, text, user=None):
        wizard = (
            self.env["aftersales.call.import"]
            .with_user(user or self.manager)
            .create({"file": base64.b64encode(text.encode()), "filename": "Master.csv"})
        )
        wizard.action_import()
        return wizard

    def _activities(self, record):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("activity_type_id", "=", self.call_back_type.id),
            ]
        )
