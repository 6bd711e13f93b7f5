from .common import AftersalesFeedbackCommon


class AftersalesClubCommon(AftersalesFeedbackCommon):
    """The company's club with three tiers (Silver 0, Gold 300, Platinum 1,000 points) and a rule for
    every event. The customer bought (an order delivered on 2026-01-10); tests run on 2026-06-01."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company._aftersales_ensure_club()
        cls.club = cls.company.aftersales_club_program_id
        Tier = cls.env["aftersales.club.tier"]
        cls.silver, cls.gold, cls.platinum = Tier.create(
            [
                {"name": "Silver", "min_points": 0, "company_id": cls.company.id},
                {
                    "name": "Gold",
                    "min_points": 300,
                    "warranty_bonus_months": 3,
                    "claim_priority": "2",
                    "benefits": "<p>Three more months</p>",
                    "company_id": cls.company.id,
                },
                {
                    "name": "Platinum",
                    "min_points": 1000,
                    "warranty_bonus_months": 6,
                    "claim_priority": "3",
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.club_points = {
            "feedback": 20,
            "photo_review": 50,
            "referral": 100,
            "extension": 80,
            "birthday": 30,
        }
        cls.env["aftersales.club.rule"].create(
            [
                {"event": event, "points": points, "company_id": cls.company.id}
                for event, points in cls.club_points.items()
            ]
        )
        # The tiers are new: the members (the customer) reach theirs with the cron the change triggers.
        cls.env["res.partner"]._cron_aftersales_club()

    def _card(self, partner, company=None):
        company = company or self.company
        return self.env["loyalty.card"].search(
            [("partner_id", "=", partner.id), ("program_id", "=", company.aftersales_club_program_id.id)]
        )

    def _history(self, partner, event=None):
        domain = [("card_id", "=", self._card(partner).id)]
        if event:
            domain.append(("aftersales_event", "=", event))
        return self.env["loyalty.history"].search(domain)

    def _give_points(self, partner, points):
        """``points`` earned now by ``partner`` (a member), as a history line of a purchase."""
        card = self.env["res.partner"]._aftersales_club_enrol([(partner, self.company)])[
            (partner.id, self.company.id)
        ]
        lines = self.env["loyalty.history"].create(
            {"card_id": card.id, "description": "Purchase", "issued": points}
        )
        self.env["res.partner"]._aftersales_club_add_points(lines)
        self.env["res.partner"]._aftersales_club_update_tiers(card)
        return card
