"""The default follow-up template, and a follow-up at 30 days for every existing course."""

from django.db import migrations

from guildbook.surveys.defaults import build_default_template


def forwards(apps, schema_editor):
    Template = apps.get_model("surveys", "SurveyTemplate")
    Question = apps.get_model("surveys", "Question")
    Choice = apps.get_model("surveys", "Choice")
    Moment = apps.get_model("surveys", "SurveyMoment")
    Course = apps.get_model("training", "Course")
    template = Template.objects.filter(is_default=True, is_current=True).first()
    if template is None:
        template = build_default_template(Template, Question, Choice)
        template.is_default = True
        template.save(update_fields=["is_default"])
    have = set(Moment.objects.values_list("course_id", flat=True))
    Moment.objects.bulk_create(
        Moment(course_id=pk, template=template, name="Follow-up")
        for pk in Course.objects.exclude(pk__in=have).values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial"), ("training", "0005_waiting_list_offers")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
