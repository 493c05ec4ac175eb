"""The demo's training content, in French: three published modules, each a short text and a
quiz with a pass mark — the programme and its rules; conflicts of interest and compliance
(required for everyone, certificate valid one year); working leads in Relais and declaring
statuses (for resellers, required for them) — and two paths, "Démarrer comme apporteur" and
"Démarrer comme revendeur".

Written through the authoring services (text cleaned, quiz checked, requirement dated), and
idempotent: a second run finds the modules and paths by title and leaves them as they are.
The requirements start now, so the demo's active partners are within the grace period and
keep receiving leads; new candidates must complete them before activation."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from relais.accounts.models import User
from relais.demo.network import DEMO_DOMAIN
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner
from relais.training.authoring import (
    ChoiceIn,
    module_publish,
    module_require,
    module_save,
    path_save,
    question_save,
)
from relais.training.certificates import certificate_code
from relais.training.choices import AttemptState, ModuleAudience, Validity
from relais.training.models import Attempt, Certificate, Module, Path, Question, Reading

MANAGER = f"manager@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    answers: tuple[tuple[str, bool], ...]
    points: int = 1

    @property
    def multiple(self) -> bool:
        return sum(1 for _text, right in self.answers if right) > 1


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    summary: str
    body: str
    questions: tuple[QuestionSpec, ...]
    pass_mark: int
    audience: str = ModuleAudience.ALL
    required_for: str = ""
    validity: int = Validity.FOREVER


PROGRAMME = ModuleSpec(
    title="Le programme et ses règles",
    summary="Qui peut recommander, ce qui est rémunéré, quand et comment.",
    body="""<h2>Le programme en bref</h2>
<p>Vous recommandez des clients ; quand une affaire que vous avez apportée est <strong>signée
et encaissée</strong>, vous touchez la commission prévue par votre contrat.</p>
<ul>
<li>Une recommandation est attribuée au premier partenaire qui l'a déposée (90 jours).</li>
<li>Le prospect doit être d'accord pour être contacté : dites-lui que vous transmettez ses
coordonnées.</li>
<li>Les commissions sont payées chaque mois par virement, avec un relevé.</li>
</ul>
<p>Les règles complètes sont dans <a href="https://relais.example/regles">le règlement du
programme</a>.</p>""",
    questions=(
        QuestionSpec(
            "Quand une commission est-elle due ?",
            (
                ("Dès que le lead est déposé", False),
                ("Quand l'affaire est signée et encaissée", True),
                ("Quand le prospect a été appelé", False),
            ),
        ),
        QuestionSpec(
            "Deux partenaires déposent le même prospect : à qui est-il attribué ?",
            (
                ("Au premier qui l'a déposé", True),
                ("Au dernier", False),
                ("Aux deux, à parts égales", False),
            ),
        ),
        QuestionSpec(
            "Que faut-il avoir avant de transmettre les coordonnées d'un prospect ?",
            (
                ("Son accord pour être contacté", True),
                ("Sa pièce d'identité", False),
                ("Rien de particulier", False),
            ),
            points=2,
        ),
        QuestionSpec(
            "Comment les commissions sont-elles payées ? (plusieurs réponses)",
            (
                ("Par virement", True),
                ("Chaque mois, avec un relevé", True),
                ("En espèces", False),
            ),
        ),
    ),
    pass_mark=4,
)

COMPLIANCE = ModuleSpec(
    title="Conflits d'intérêts et conformité",
    summary="Déclarer ses liens, refuser les avantages indus, protéger les données.",
    body="""<h2>Pourquoi c'est obligatoire</h2>
<p>Un partenaire qui recommande un client doit agir <strong>dans l'intérêt du client</strong>.
Tout lien qui pourrait influencer votre recommandation doit être déclaré.</p>
<ul>
<li>Déclarez vos liens (familiaux, financiers, professionnels) avec un prospect ou un
salarié de l'entreprise.</li>
<li>N'acceptez et n'offrez aucun cadeau ou avantage en dehors du programme.</li>
<li>Les données des prospects ne servent qu'à la recommandation (RGPD).</li>
</ul>
<p>Cette formation est à renouveler chaque année.</p>""",
    questions=(
        QuestionSpec(
            "Votre beau-frère veut devenir client : que faites-vous ?",
            (
                ("Je déclare ce lien avant de le recommander", True),
                ("Je le recommande sans rien dire", False),
                ("Je ne peux jamais le recommander", False),
            ),
            points=2,
        ),
        QuestionSpec(
            "Un commercial vous propose un cadeau pour chaque lead : c'est…",
            (
                ("Acceptable s'il est modeste", False),
                ("Interdit en dehors du programme", True),
            ),
        ),
        QuestionSpec(
            "À quoi peuvent servir les coordonnées d'un prospect ? ",
            (
                ("Uniquement à la recommandation", True),
                ("À lui envoyer mes propres offres", False),
                ("À les revendre", False),
            ),
        ),
        QuestionSpec(
            "Quels liens faut-il déclarer ? (plusieurs réponses)",
            (
                ("Familiaux", True),
                ("Financiers", True),
                ("Professionnels", True),
                ("Aucun", False),
            ),
        ),
        QuestionSpec(
            "Combien de temps ce certificat est-il valable ?",
            (("Un an", True), ("Toujours", False), ("Un mois", False)),
        ),
    ),
    pass_mark=5,
    required_for=ModuleAudience.ALL,
    validity=Validity.ONE_YEAR,
)

LEADS = ModuleSpec(
    title="Travailler ses leads dans Relais et déclarer les statuts",
    summary="Accepter un lead, le contacter dans les délais, déclarer chaque étape.",
    body="""<h2>Votre travail dans Relais</h2>
<ol>
<li><strong>Acceptez</strong> le lead qui vous est attribué, ou refusez-le en disant pourquoi.</li>
<li><strong>Contactez</strong> le prospect dans le délai indiqué (SLA) : passé ce délai, le
lead peut être réattribué.</li>
<li><strong>Déclarez</strong> chaque statut : contacté, devis envoyé, gagné (avec le montant) ou
perdu (avec le motif).</li>
</ol>
<p>Des statuts à jour, c'est l'apporteur payé à temps et votre note de revendeur qui monte.</p>""",
    questions=(
        QuestionSpec(
            "Que se passe-t-il si vous ne contactez pas le prospect dans le délai ?",
            (
                ("Rien", False),
                ("Le lead peut être réattribué", True),
                ("Le prospect est supprimé", False),
            ),
        ),
        QuestionSpec(
            "Une affaire est signée : que déclarez-vous ?",
            (
                ("« Gagné », avec le montant", True),
                ("Rien, l'entreprise le saura", False),
                ("« Contacté »", False),
            ),
            points=2,
        ),
        QuestionSpec(
            "Vous refusez un lead : que devez-vous faire ?",
            (("Dire pourquoi", True), ("Le supprimer", False)),
        ),
        QuestionSpec(
            "Pourquoi déclarer les statuts à temps ? (plusieurs réponses)",
            (
                ("L'apporteur est payé à temps", True),
                ("Ma note de revendeur en dépend", True),
                ("Ce n'est pas utile", False),
            ),
        ),
    ),
    pass_mark=4,
    audience=ModuleAudience.RESELLER,
    required_for=ModuleAudience.RESELLER,
)

MODULES = (PROGRAMME, COMPLIANCE, LEADS)
PATHS = (
    ("Démarrer comme apporteur", ModuleAudience.INTRODUCER, (PROGRAMME, COMPLIANCE)),
    ("Démarrer comme revendeur", ModuleAudience.RESELLER, (PROGRAMME, COMPLIANCE, LEADS)),
)


def _module(spec: ModuleSpec, actor: User | None) -> Module:
    """The module of ``spec``, written once: found by its title on a second run."""
    found = Module.objects.filter(title=spec.title).first()
    if found is not None:
        return found
    data = {
        "title": spec.title,
        "summary": spec.summary,
        "body": spec.body,
        "audience": spec.audience,
        "language": "fr",
        "validity": spec.validity,
        "attempts_allowed": 3,
        "wait_minutes": 0,
    }
    module = module_save(module=Module(), data=data, actor=actor)
    for question in spec.questions:
        choices = [ChoiceIn(text=text, correct=right) for text, right in question.answers]
        question_save(
            module=module,
            question=Question(),
            data={"text": question.text, "multiple": question.multiple, "points": question.points},
            choices=choices,
            actor=actor,
        )
    # The pass mark once the questions are there: it is checked against their points.
    module_save(module=module, data={"pass_mark": spec.pass_mark}, actor=actor)
    module_publish(module=module, actor=actor)
    if spec.required_for:
        # Required from now: the demo's active partners are within the grace period.
        module_require(module=module, required_for=spec.required_for, actor=actor)
    return module


def seed_training(seed: int = 7) -> dict[str, int]:
    """Write the demo's modules and paths if they are not there, and some partners' progress
    (``_progress``); returns how many of each."""
    actor = User.objects.filter(email=MANAGER).first()
    with transaction.atomic():
        modules = {spec.title: _module(spec, actor) for spec in MODULES}
        for title, audience, steps in PATHS:
            if Path.objects.filter(title=title).exists():
                continue
            path_save(
                path=Path(),
                data={"title": title, "audience": audience, "language": "fr", "published": True},
                modules=[modules[spec.title] for spec in steps],
                actor=actor,
            )
        draw = random.Random(f"{seed}:training")  # noqa: S311 - reproducible demo data
        done = _progress(list(modules.values()), draw)
    return {"modules": len(modules), "paths": len(PATHS), "completions": done}


# Of the active partners, the share that has done each module (in MODULES' order), so the
# completion page has figures and the demo logins see a module done and others to do.
DONE_SHARE = (0.7, 0.45, 0.35)


def _progress(modules: list[Module], draw: random.Random) -> int:
    """Readings, passed attempts and certificates, written in bulk (as the demo builder writes
    the network) for a share of the active partners, once: nothing when some exist already. A
    few certificates expire within the month, for the reminders."""
    if Reading.objects.exists():
        return 0
    now = timezone.now()
    partners = list(
        Partner.objects.filter(status=PartnerStatus.ACTIVE)
        .exclude(email__in=[f"revendeur@{DEMO_DOMAIN}", f"apporteur@{DEMO_DOMAIN}"])
        .values_list("pk", "kind")
    )
    readings, attempts, certificates = [], [], []
    for module, share in zip(modules, DONE_SHARE, strict=True):
        questions = list(module.questions.values_list("pk", flat=True))
        points = sum(module.questions.values_list("points", flat=True))
        for pk, kind in partners:
            if module.audience not in (ModuleAudience.ALL, kind) or draw.random() >= share:
                continue
            at = now - timedelta(days=draw.randint(1, 300))
            readings.append(
                Reading(partner_id=pk, module=module, version=module.version, read_at=at)
            )
            attempts.append(
                Attempt(
                    partner_id=pk,
                    module=module,
                    version=module.version,
                    state=AttemptState.PASSED,
                    drawn=questions,
                    score=points,
                    out_of=points,
                    started_at=at,
                    submitted_at=at + timedelta(minutes=draw.randint(4, 20)),
                )
            )
            expires = None
            if module.validity:
                expires = at + timedelta(days=365 * module.validity)
                if draw.random() < 0.05:  # a few to renew soon
                    expires = now + timedelta(days=draw.randint(3, 28))
            certificates.append(
                Certificate(
                    partner_id=pk,
                    module=module,
                    version=module.version,
                    code=certificate_code(),
                    issued_at=at,
                    expires_at=expires,
                )
            )
    Reading.objects.bulk_create(readings, batch_size=2000)
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    return len(certificates)
