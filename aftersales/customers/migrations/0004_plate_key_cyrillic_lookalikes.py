from django.db import migrations

from aftersales.lib.text import plate_key


def refold_cyrillic_plates(apps, schema_editor):
    Vehicle = apps.get_model("customers", "Vehicle")
    changed = []
    for vehicle in Vehicle.objects.exclude(plate_key__regex=r"^[A-Z0-9]*$").only("pk", "plate").iterator():
        vehicle.plate_key = plate_key(vehicle.plate)
        changed.append(vehicle)
    Vehicle.objects.bulk_update(changed, ["plate_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_search_name_prefix_index")]

    operations = [migrations.RunPython(refold_cyrillic_plates, migrations.RunPython.noop)]
