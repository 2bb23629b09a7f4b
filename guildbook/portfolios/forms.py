from django import forms
from django.utils import timezone

from guildbook.core.forms import BritishDateField
from guildbook.portfolios import services
from guildbook.portfolios.models import CourseSkillsArea, Evidence, SkillsArea


class EvidenceForm(forms.Form):
    """One screen, phone first: what it is, a title, and either words, a link or a file (a
    photo straight from the camera on a phone)."""

    kind = forms.ChoiceField(choices=Evidence.Kind.choices, initial=Evidence.Kind.REFLECTION)
    title = forms.CharField(max_length=200)
    date = BritishDateField()
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What happened and what you learnt. Markdown works: **bold**, - lists.",
    )
    photo = forms.FileField(
        required=False,
        label="Take a photo",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    file = forms.FileField(
        required=False,
        label="Or choose a file",
        help_text="A PDF, a picture or a Word document.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.doc,.docx,image/*,application/pdf"}
        ),
    )
    url = forms.URLField(required=False, label="Link", assume_scheme="https")
    hours = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=1000,
        decimal_places=2,
        label="CPD hours",
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )
    tags = forms.CharField(required=False, max_length=300, help_text="Separated by commas.")
    skills_areas = forms.ModelMultipleChoiceField(
        queryset=SkillsArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Skills areas",
    )

    criteria = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Criteria it supports",
        help_text="Of one qualification you are working towards.",
    )

    def __init__(self, *args, editing: bool = False, candidacies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["skills_areas"].queryset = SkillsArea.objects.select_related("framework")
        self.candidacies = {c.pk: c for c in candidacies}
        self.fields["criteria"].choices = [
            (f"{c.pk}:{criterion.code}", f"{c.scheme.name}: {criterion.title}")
            for c in candidacies
            for criterion in c.scheme.criteria.all()
        ]
        if not self.fields["criteria"].choices:
            del self.fields["criteria"]
        if editing:
            for name in ("kind", "photo", "file"):
                del self.fields[name]

    def entry_fields(self) -> dict:
        """What adding and editing an entry both save, as keyword arguments for the
        services (evidence_create, evidence_update)."""
        d = self.cleaned_data
        return {key: d[key] for key in ("title", "date", "text", "url", "tags", "skills_areas")}

    def upload(self):
        return self.cleaned_data.get("photo") or self.cleaned_data.get("file")

    def clean_criteria(self):
        picked = [v.split(":", 1) for v in self.cleaned_data.get("criteria") or []]
        if len({pk for pk, _ in picked}) > 1:
            raise forms.ValidationError("Choose criteria of one qualification at a time.")
        return picked

    def candidacy_and_codes(self):
        picked = self.cleaned_data.get("criteria") or []
        if not picked:
            return None, []
        return self.candidacies[int(picked[0][0])], [code for _, code in picked]


class AreaChoiceField(forms.ModelMultipleChoiceField):
    """Areas by name, with their framework's name when there is more than one framework."""

    several_frameworks = False

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.framework.name})" if self.several_frameworks else obj.name


class CourseSkillsAreasForm(forms.Form):
    """The trainers' course form's fieldset for the skills areas a course develops (added
    through training's course form parts, so training never imports portfolios). A person
    whose skills audit shows a gap in an area is pointed at the courses tagged with it."""

    legend = "Skills areas"
    help = (
        "Tick the areas this course helps people develop. Someone whose skills audit shows a "
        "gap in one of them is pointed to this course."
    )

    areas = AreaChoiceField(
        queryset=SkillsArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Areas it develops",
    )

    def __init__(self, *, course=None, **kwargs):
        self.tagged = (
            set(CourseSkillsArea.objects.filter(course=course).values_list("area_id", flat=True))
            if course is not None
            else set()
        )
        kwargs.setdefault("initial", {"areas": sorted(self.tagged)})
        super().__init__(**kwargs)
        field = self.fields["areas"]
        field.queryset = SkillsArea.objects.select_related("framework").order_by(
            "framework__name", "position", "id"
        )
        field.several_frameworks = SkillsArea.objects.values("framework").distinct().count() > 1

    def save(self, *, course, actor) -> None:
        areas = list(self.cleaned_data["areas"])
        if {a.pk for a in areas} != self.tagged:
            services.course_areas_set(course=course, areas=areas, actor=actor)
