"""Column labels of export files, in the account's language.

The labels of the in-app export module (reporting.mdx, "Data available in the
Reports module", gives the English names the keys stand for); French labels
follow the reference's example ``"Entreprise,Heures"`` (time-export.mdx).
"""

from __future__ import annotations

__all__ = ["LABELS", "labels"]

#: key -> (English label, French label)
LABELS: dict[str, tuple[str, str]] = {
    "absence": ("Absence", "Absence"),
    "absenceId": ("Absence Id", "Id absence"),
    "activity": ("Activity", "Activité"),
    "address": ("Address", "Adresse"),
    "available": ("Available", "Disponible"),
    "availableInDays": ("Available (days)", "Disponible (jours)"),
    "balance": ("Balance", "Solde"),
    "balanceInDays": ("Balance (days)", "Solde (jours)"),
    "billability": ("Billability", "Facturabilité"),
    "billableSplit": ("Billable split", "Répartition facturable"),
    "billing": ("Billing", "Facturation"),
    "billingPercent": ("Billing %", "Facturation %"),
    "billingRatio": ("Billing ratio", "Ratio de facturation"),
    "budget": ("Budget", "Budget"),
    "comment": ("Comment", "Commentaire"),
    "company": ("Company", "Entreprise"),
    "companyId": ("Company Id", "Id entreprise"),
    "coords": ("Coordinates", "Coordonnées"),
    "cost": ("Cost", "Coût"),
    "costsPercent": ("Costs %", "Coûts %"),
    "dailyCost": ("Daily cost", "Coût journalier"),
    "dailyRate": ("Daily rate", "Taux journalier"),
    "date": ("Date", "Date"),
    "duration": ("Duration", "Durée"),
    "end": ("End", "Fin"),
    "etime": ("End time", "Heure de fin"),
    "eventId": ("Event Id", "Id événement"),
    "fromTo": ("Period", "Période"),
    "gid": ("Group Id", "Id groupe"),
    "hourlyCost": ("Hourly cost", "Coût horaire"),
    "hourlyRate": ("Hourly rate", "Taux horaire"),
    "hours": ("Hours", "Heures"),
    "hoursPercent": ("Hours %", "Heures %"),
    "inDays": ("In days", "En jours"),
    "isAtWork": ("At work", "Au travail"),
    "manual": ("Manual", "Manuel"),
    "month": ("Month", "Mois"),
    "overtime": ("Overtime", "Heures supplémentaires"),
    "person": ("Person", "Personne"),
    "personId": ("Person Id", "Id personne"),
    "profit": ("Profit", "Profit"),
    "profitPercent": ("Profit %", "Profit %"),
    "profitRatio": ("Profit ratio", "Ratio de profit"),
    "project": ("Project", "Projet"),
    "projectId": ("Project Id", "Id projet"),
    "quotaId": ("Quota Id", "Id quota"),
    "remWorkDays": ("Remaining work days", "Jours de travail restants"),
    "remWorkHours": ("Remaining work hours", "Heures de travail restantes"),
    "start": ("Start", "Début"),
    "status": ("Status", "Statut"),
    "stime": ("Start time", "Heure de début"),
    "subproject": ("Subproject", "Sous-projet"),
    "subprojectId": ("Subproject Id", "Id sous-projet"),
    "taken": ("Taken", "Pris"),
    "takenInDays": ("Taken (days)", "Pris (jours)"),
    "task": ("Task", "Tâche"),
    "taskId": ("Task Id", "Id tâche"),
    "to": ("Date", "Date"),
    "week": ("Week", "Semaine"),
    "weeklyOvertime": ("Weekly overtime", "Heures supplémentaires hebdomadaires"),
    "wfh": ("Working from home", "Télétravail"),
    "workDays": ("Work days", "Jours de travail"),
    "workHours": ("Work hours", "Heures de travail"),
}


def labels(keys: list[str], language: str) -> list[str]:
    """The header row of an export: one label per key, in ``language`` (``en``/``fr``).

    >>> labels(["company", "hours"], "fr")
    ['Entreprise', 'Heures']
    """
    index = 1 if language == "fr" else 0
    return [LABELS.get(k, (k, k))[index] for k in keys]
