"""PED pedigree files (six columns: family, individual, father, mother, sex, phenotype).

The pedigree decides which samples of a VCF are the patient and the parents, and so which
inheritance checks (de novo, compound heterozygous, X-linked) are possible. A wrong sex or a
missing parent silently changes those checks, so such files are refused with a pointed
message instead of being read leniently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_SEX = {"1": "MALE", "2": "FEMALE", "0": None}
_AFFECTED = {"2": True, "1": False, "0": None, "-9": None}
_MISSING_PARENT = "0"


class PedFormatError(ValueError):
    """A PED file is wrong, or does not fit the VCF; names the file, the line and the fix."""

    def __init__(self, path: str | Path, problem: str, fix: str = "", line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}" + (f"; {fix}" if fix else ""))


@dataclass(frozen=True, slots=True)
class PedIndividual:
    family: str
    id: str
    father: str | None
    mother: str | None
    sex: str | None  # "MALE", "FEMALE" or None
    affected: bool | None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Pedigree:
    individuals: tuple[PedIndividual, ...]
    path: str = ""

    def get(self, individual_id: str) -> PedIndividual | None:
        return next((i for i in self.individuals if i.id == individual_id), None)

    def proband(self) -> PedIndividual | None:
        """The affected individual whose parents are both in the file (the child of a trio), else
        the first affected individual, else None."""
        affected = [i for i in self.individuals if i.affected]
        for ind in affected:
            if ind.father is not None and ind.mother is not None:
                return ind
        return affected[0] if affected else None

    def parents_of(self, individual_id: str) -> tuple[PedIndividual | None, PedIndividual | None]:
        """(father, mother), None where unknown."""
        ind = self.get(individual_id)
        if ind is None:
            return None, None
        return (self.get(ind.father) if ind.father else None, self.get(ind.mother) if ind.mother else None)

    @property
    def affected_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.individuals if i.affected is True)

    @property
    def unaffected_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.individuals if i.affected is False)


def load_pedigree(path: str | Path) -> Pedigree:
    """Read a PED file (tab- or space-separated, ``#`` comments). Parents must be listed in the
    file themselves (or be ``0``), so that their sex and status are known."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PedFormatError(p, "file not found", "check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PedFormatError(p, f"cannot read the file ({exc})", "give a plain-text PED file") from None
    people: list[PedIndividual] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split()
        if len(cols) != 6:
            raise PedFormatError(p, f"the line has {len(cols)} columns, expected 6 "
                                    "(family, individual, father, mother, sex, phenotype)",
                                 "write one individual per line with exactly these six columns", line=n)
        family, ind, father, mother, sex, pheno = cols
        if sex not in _SEX:
            raise PedFormatError(p, f"sex {sex!r} of {ind!r} is not 1 (male), 2 (female) or 0 (unknown)",
                                 "use the PED sex codes", line=n)
        if pheno not in _AFFECTED:
            raise PedFormatError(p, f"phenotype {pheno!r} of {ind!r} is not 2 (affected), 1 (unaffected) "
                                    "or 0/-9 (unknown)", "use the PED phenotype codes", line=n)
        if ind in seen:
            raise PedFormatError(p, f"individual {ind!r} is listed twice (first on line {seen[ind]})",
                                 "give each individual one line and a unique id", line=n)
        seen[ind] = n
        people.append(PedIndividual(family, ind, None if father == _MISSING_PARENT else father,
                                    None if mother == _MISSING_PARENT else mother, _SEX[sex], _AFFECTED[pheno], n))
    if not people:
        raise PedFormatError(p, "no individuals in the file", "write one line per individual")
    _check_parents(p, people)
    return Pedigree(tuple(people), str(p))


def _check_parents(path: Path, people: list[PedIndividual]) -> None:
    by_id = {i.id: i for i in people}
    for ind in people:
        for role, pid, wrong_sex in (("father", ind.father, "FEMALE"), ("mother", ind.mother, "MALE")):
            if pid is None:
                continue
            if pid == ind.id:
                raise PedFormatError(path, f"{ind.id!r} is given as its own {role}", "fix the parent column",
                                     line=ind.line)
            parent = by_id.get(pid)
            if parent is None:
                raise PedFormatError(path, f"{role} {pid!r} of {ind.id!r} is not listed in the file",
                                     f"add a line for {pid!r} or write 0 for an unknown {role}", line=ind.line)
            if parent.sex == wrong_sex:
                code = "1" if role == "father" else "2"
                raise PedFormatError(path, f"{pid!r} is the {role} of {ind.id!r} but is recorded as "
                                           f"{wrong_sex.lower()}", f"set the sex of {pid!r} to {code} "
                                                                   f"(or fix the {role} column)", line=parent.line)


def check_pedigree(ped: Pedigree, samples: Sequence[str]) -> list[str]:
    """Raise when the PED and the VCF do not fit; return warnings for the looser mismatches.

    Individuals whose affection status is known (affected or unaffected) are expected to have been
    sequenced, so they must be VCF samples; individuals with unknown status may be placeholders
    (e.g. an unsequenced grandparent) and only produce a warning. VCF samples outside the PED are
    analysed without family information, which is worth a warning.
    """
    in_vcf = set(samples)
    ids = [i.id for i in ped.individuals]
    vcf_list = ", ".join(samples) if samples else "none"
    ped_list = ", ".join(ids)
    if not in_vcf & set(ids):
        raise PedFormatError(ped.path, f"no individual of the PED ({ped_list}) is a sample of the VCF ({vcf_list})",
                             "use the VCF sample names as individual ids in the PED")
    expected = [i.id for i in ped.individuals if i.affected is not None and i.id not in in_vcf]
    if expected:
        raise PedFormatError(ped.path, f"{', '.join(expected)} (affected or unaffected in the PED) "
                                       f"{'is' if len(expected) == 1 else 'are'} not among the VCF samples "
                                       f"({vcf_list}); PED individuals: {ped_list}",
                             "rename the PED individuals to the VCF sample names, or set their phenotype to 0 if "
                             "they were not sequenced")
    warnings = [f"{ped.path}: {i.id!r} (status unknown) is not a VCF sample; treated as not sequenced"
                for i in ped.individuals if i.affected is None and i.id not in in_vcf]
    warnings += [f"{ped.path}: VCF sample {s!r} is not in the PED; analysed without family information"
                 for s in samples if s not in set(ids)]
    return warnings
