"""Claims and visits get their Solar Hijri month and year (stored, for the reports' groupings).

Filled here in SQL, before the update creates the columns: the ORM would otherwise compute them for
every existing claim and visit in Python. The SQL functions give the same values as the fields'
computation (jdatetime, in the company's zone: its partner's, else UTC),
which a test checks.
"""

import logging

from odoo.tools import SQL

from odoo.addons.aftersales_warranty.models.aftersales_jalali_mixin import create_jalali_sql_functions

_logger = logging.getLogger(__name__)

# table: the datetime column the month and year are of
TABLES = {
    "aftersales_claim": "date_reported",
    "aftersales_visit": "date_start",
}


def fill_jalali_columns(cr):
    """Add and fill the Solar Hijri month and year columns of the claims and visits."""
    create_jalali_sql_functions(cr)
    for table, source in TABLES.items():
        month = f"{source}_jalali_month"
        year = f"{source}_jalali_year"
        cr.execute(
            SQL(
                "ALTER TABLE %(table)s ADD COLUMN IF NOT EXISTS %(month)s varchar, "
                "ADD COLUMN IF NOT EXISTS %(year)s varchar",
                table=SQL.identifier(table),
                month=SQL.identifier(month),
                year=SQL.identifier(year),
            )
        )
        cr.execute(
            SQL(
                """
                UPDATE %(table)s record
                   SET %(month)s = aftersales_jalali_month(local.day),
                       %(year)s = aftersales_jalali_year(local.day)
                  FROM (
                        SELECT record.id,
                               (record.%(source)s AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(
                                    NULLIF(partner.tz, ''), 'UTC'))::date AS day
                          FROM %(table)s record
                          JOIN res_company company ON company.id = record.company_id
                          JOIN res_partner partner ON partner.id = company.partner_id
                         WHERE record.%(source)s IS NOT NULL
                       ) local
                 WHERE local.id = record.id
                """,
                table=SQL.identifier(table),
                month=SQL.identifier(month),
                year=SQL.identifier(year),
                source=SQL.identifier(source),
            )
        )
        _logger.info("Solar Hijri month and year of %s rows of %s", cr.rowcount, table)


def migrate(cr, version):
    fill_jalali_columns(cr)
