"""After ``make load``: the figures, and the checks (no HTTP error, no double booking of an advisor's slot, no
duplicate appointment, no booking past a capacity limit, no gap in invoice numbers).

    manage.py shell -c "from aftersales.tests.load.check import main; main('var/load/stats_stats.csv', '<ISO start>')"
Exits non-zero when a check fails.
"""

import csv
import sys

from django.db import connection

# Two live appointments booked through the desk (they hold slot reservations) for one advisor at the same moment
# (the slot table is unique on it, the appointments are not). The seed's appointments of the day hold no slot.
DOUBLE_BOOKINGS = """
SELECT count(*) FROM (
  SELECT advisor_id, starts_at FROM appointments_appointment AS a
  WHERE status NOT IN ('cancelled', 'no_show')
    AND EXISTS (SELECT 1 FROM appointments_slotreservation AS s WHERE s.appointment_id = a.id)
  GROUP BY advisor_id, starts_at HAVING count(*) > 1
) AS doubled
"""
DOUBLE_SLOTS = "SELECT count(*) FROM (SELECT advisor_id, starts_at FROM appointments_slotreservation GROUP BY 1, 2 HAVING count(*) > 1) s"
# One vehicle booked twice for the same moment (a confirmation that went through twice).
DUPLICATE_APPOINTMENTS = """
SELECT count(*) FROM (
  SELECT vehicle_id, starts_at FROM appointments_appointment
  WHERE status NOT IN ('cancelled', 'no_show', 'rescheduled') GROUP BY vehicle_id, starts_at HAVING count(*) > 1
) AS duplicated
"""
# Past a capacity limit only with a reason (an override event); the load never gives one, so none may appear.
OVER_CAPACITY = """
SELECT count(*) FROM appointments_appointmentevent AS e JOIN appointments_appointment AS a ON a.id = e.appointment_id
WHERE a.created_at >= %(since)s AND e.details ? 'override'
"""
# Per site and year, the issued sequence numbers run 1..n without a hole.
INVOICE_GAPS = """
SELECT site_id, year, count(*), max(sequence) FROM invoicing_invoice
WHERE sequence IS NOT NULL GROUP BY site_id, year HAVING max(sequence) <> count(*) OR min(sequence) <> 1
"""
COUNTS = """
SELECT (SELECT count(*) FROM appointments_appointment WHERE created_at >= %(since)s),
       (SELECT count(*) FROM workshop_workorder WHERE created_at >= %(since)s),
       (SELECT count(*) FROM invoicing_invoice WHERE issued_at >= %(since)s)
"""


def main(stats_path: str, since: str) -> None:
    with open(stats_path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    print(f"{'request':<28}{'count':>8}{'fail':>6}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for row in rows:
        print(
            f"{row['Type'] + ' ' + row['Name']:<28.28}{row['Request Count']:>8}{row['Failure Count']:>6}"
            f"{row['Median Response Time']:>11}{row['95%']:>9}{float(row['Max Response Time']):>9.0f}"
        )
    print(f"throughput: {float(total['Requests/s']):.1f} requests/s")
    with connection.cursor() as cursor:
        cursor.execute(DOUBLE_BOOKINGS)
        doubled = cursor.fetchone()[0]
        cursor.execute(DOUBLE_SLOTS)
        doubled += cursor.fetchone()[0]
        cursor.execute(DUPLICATE_APPOINTMENTS)
        duplicated = cursor.fetchone()[0]
        cursor.execute(OVER_CAPACITY, {"since": since})
        over_capacity = cursor.fetchone()[0]
        cursor.execute(INVOICE_GAPS)
        gaps = cursor.fetchall()
        cursor.execute(COUNTS, {"since": since})
        appointments, orders, invoices = cursor.fetchone()
    print(f"during the run: {appointments} appointments booked, {orders} work orders opened, {invoices} invoices issued")
    failures = int(total["Failure Count"])
    print(
        f"HTTP errors: {failures}; double bookings: {doubled}; duplicate appointments: {duplicated}; "
        f"bookings past capacity: {over_capacity}; invoice number gaps: {gaps or 0}"
    )
    if failures or doubled or duplicated or over_capacity or gaps:
        sys.exit(1)
