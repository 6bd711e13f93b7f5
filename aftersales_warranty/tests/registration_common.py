import base64

from freezegun import freeze_time

from .common import AftersalesWarrantyCommon


class RegistrationCommon(AftersalesWarrantyCommon):
    """A dealer, serials with codes delivered to it on 2026-01-10 (Tehran), and a buyer's phone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.ir")
        cls.company.aftersales_registration_phone_limit = 5
        cls.company.aftersales_registration_ip_limit = 30
        cls.dealer = cls.env["res.partner"].create(
            {"name": "Dealer Arya", "is_company": True, "aftersales_is_dealer": True}
        )
        cls.dealer_shop = cls.env["res.partner"].create(
            {"name": "Arya's shop", "parent_id": cls.dealer.id, "type": "delivery"}
        )
        cls.serials = [f"AC-2026-{number:04d}" for number in range(1, 7)]
        cls.lots = cls._add_stock(cls.product_serial, lot_names=cls.serials)
        cls.codes = {serial: f"{4820 + index}" for index, serial in enumerate(cls.serials)}
        cls._import_codes(cls.product_serial, cls.codes)
        with freeze_time("2026-01-10 09:00:00"):
            cls.dealer_order = cls._sell([(cls.product_serial, 5)], partner=cls.dealer)
            cls._deliver(cls.dealer_order)
        cls.unregistered = cls.dealer_order.warranty_ids
        # The sixth serial never left the warehouse.
        cls.unsold_serial = next(s for s in cls.serials if s not in cls.unregistered.lot_id.mapped("name"))
        cls.buyer_phone = "09121234567"
        cls.buyer_e164 = "+989121234567"

    @classmethod
    def _import_codes(cls, product, codes, user=None):
        data = "serial,code\n" + "".join(f"{serial},{code}\n" for serial, code in codes.items())
        wizard = (
            cls.env["aftersales.serial.code.import"]
            .with_user(user or cls.manager)
            .create({"product_id": product.id, "data_file": base64.b64encode(data.encode())})
        )
        wizard.action_import()
        return wizard

    def _warranty_of(self, serial):
        return self.unregistered.filtered(lambda w: w.lot_id.name == serial)

    def _attempt(self, serial, code=None, phone=None, channel="web", **kwargs):
        return self.env["aftersales.registration"]._aftersales_attempt(
            self.company, serial, channel, code=code, phone=phone or self.buyer_phone, **kwargs
        )
