from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Customer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    kind = models.CharField(pgettext_lazy("customer", "kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    company_name = models.CharField(_("company name"), max_length=255, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    address = models.TextField(_("address"), blank=True)
    crm_id = models.PositiveIntegerField(_("CRM id"), null=True, blank=True, unique=True)
    company = models.ForeignKey(
        "self", verbose_name=_("company"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts",
        help_text=_("For a contact person: the corporate customer they act for."),
    )
    crm_corporate_id = models.PositiveIntegerField(_("CRM corporate id"), null=True, blank=True, unique=True)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["last_name", "first_name", "company_name"]

    def __str__(self):
        if self.kind == self.Kind.COMPANY:
            return self.company_name or str(_("Company without a name"))
        name = " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)
        return name or self.phone or self.email or f"#{self.pk}"
