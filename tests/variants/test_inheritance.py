"""Modes of inheritance against genotypes, one family scenario per test.

Genotype rows are a gene's qualifying variants; columns are samples (proband first). Codes as in
the VCF reader: 0 = 0/0, 1 = 0/1, 2 = 1/1 (or hemizygous 1), -1 = missing.
"""

from __future__ import annotations

import numpy as np

from rarelens.variants.inheritance import (
    Family,
    ModeCall,
    compatible_modes,
    modes_for_chrom,
    modes_from_facts,
)
from rarelens.variants.table import CHROM_X

REF, HET, HOM, MISSING = 0, 1, 2, -1
SINGLE = Family(proband=0)
# child, father, mother; parents unaffected.
TRIO = Family(proband=0, father=1, mother=2, unaffected=(1, 2), proband_male=True, male=(1,))


def calls(genotypes: list[list[int]], family: Family, modes: set[str], scores: list[float] | None = None) -> dict[str, ModeCall]:
    gt = np.asarray(genotypes, dtype=np.int8)
    s = np.ones(len(gt)) if scores is None else np.asarray(scores, dtype=np.float64)
    return {c.mode: c for c in compatible_modes(list(range(len(gt))), gt, family, frozenset(modes), s)}


def test_ad_single_heterozygote_is_compatible() -> None:
    got = calls([[HET]], SINGLE, {"AD"})
    assert got["AD"].variants == (0,)


def test_ar_homozygote_is_compatible() -> None:
    got = calls([[HOM]], SINGLE, {"AR"})
    assert (got["AR"].variants, got["AR"].note) == ((0,), "homozygous")


def test_ar_two_heterozygotes_are_a_compound_heterozygote_without_phase() -> None:
    got = calls([[HET], [HET]], SINGLE, {"AR"})
    assert (got["AR"].variants, got["AR"].note) == ((0, 1), "compound heterozygous")


def test_ar_single_heterozygote_is_incompatible() -> None:
    assert calls([[HET]], SINGLE, {"AR"}) == {}
    assert set(calls([[HET]], SINGLE, {"AD", "AR"})) == {"AD"}


def test_ar_compound_heterozygote_takes_the_two_best_scored_variants() -> None:
    got = calls([[HET], [HET], [HET]], SINGLE, {"AR"}, scores=[0.1, 0.9, 0.5])
    assert set(got["AR"].variants) == {1, 2}


def test_x_linked_recessive_male_hemizygote_is_compatible() -> None:
    male = Family(proband=0, proband_male=True)
    got = calls([[HOM]], male, {"XR"})
    assert (got["XR"].variants, got["XR"].note) == ((0,), "hemizygous")


def test_x_linked_recessive_female_needs_two_hits() -> None:
    female = Family(proband=0, proband_male=False)
    assert calls([[HET]], female, {"XR"}) == {}
    assert calls([[HOM]], female, {"XR"})["XR"].note == "homozygous"


def test_x_linked_male_with_carrier_mother_and_unaffected_father() -> None:
    got = calls([[HOM, REF, HET]], TRIO, {"XR"})
    assert got["XR"].variants == (0,)
    # An unaffected father carrying the same X allele rules it out.
    assert calls([[HOM, HOM, HET]], TRIO, {"XR"}) == {}


def test_trio_de_novo_heterozygote() -> None:
    got = calls([[HET, REF, REF]], TRIO, {"AD"})
    assert got["AD"].variants == (0,)
    assert got["AD"].de_novo == (0,)


def test_trio_dominant_variant_inherited_from_an_unaffected_parent_is_incompatible() -> None:
    assert calls([[HET, HET, REF]], TRIO, {"AD"}) == {}


def test_trio_dominant_with_a_missing_parent_call_is_kept_but_not_de_novo() -> None:
    got = calls([[HET, REF, MISSING]], TRIO, {"AD"})
    assert got["AD"].variants == (0,)
    assert got["AD"].de_novo == ()


def test_trio_compound_heterozygote_in_trans_is_compatible() -> None:
    got = calls([[HET, HET, REF], [HET, REF, HET]], TRIO, {"AR"})
    assert (got["AR"].variants, got["AR"].note) == ((0, 1), "compound heterozygous")


def test_trio_compound_heterozygote_in_cis_is_incompatible() -> None:
    # Both variants from the father (unaffected, carries both): same haplotype, the other allele is intact.
    assert calls([[HET, HET, REF], [HET, HET, REF]], TRIO, {"AR"}) == {}
    assert calls([[HET, REF, HET], [HET, REF, HET]], TRIO, {"AR"}) == {}


def test_trio_compound_heterozygote_with_one_de_novo_hit_is_compatible() -> None:
    got = calls([[HET, HET, REF], [HET, REF, REF]], TRIO, {"AR"})
    assert got["AR"].variants == (0, 1)
    assert got["AR"].de_novo == (1,)


def test_trio_homozygote_needs_both_parents_to_carry() -> None:
    assert calls([[HOM, HET, HET]], TRIO, {"AR"})["AR"].note == "homozygous"
    assert calls([[HOM, HET, REF]], TRIO, {"AR"}) == {}  # mother does not carry: not a true homozygote


def test_unaffected_parent_homozygous_excludes_ar() -> None:
    assert calls([[HOM, HOM, HET]], TRIO, {"AR"}) == {}


def test_unaffected_sibling_with_the_same_compound_heterozygote_excludes_ar() -> None:
    family = Family(proband=0, unaffected=(1,))
    assert calls([[HET, HET], [HET, HET]], family, {"AR"}) == {}
    assert calls([[HET, HET], [HET, REF]], family, {"AR"})["AR"].variants == (0, 1)


def test_affected_relative_must_carry_the_variant() -> None:
    family = Family(proband=0, affected=(1,))
    assert calls([[HET, REF]], family, {"AD"}) == {}
    assert calls([[HET, HET]], family, {"AD"})["AD"].variants == (0,)


def test_modes_from_kb_facts() -> None:
    assert modes_from_facts(["Autosomal dominant inheritance"]) == {"AD"}
    assert modes_from_facts(["Autosomal recessive"]) == {"AR"}  # Orphanet spelling
    assert modes_from_facts(["X-linked recessive inheritance"]) == {"XR"}
    assert modes_from_facts(["X-linked inheritance"]) == {"XD", "XR"}
    assert modes_from_facts(["Semidominant inheritance", "Somatic mutation"]) == set()
    assert modes_from_facts(["Semi-dominant"]) == {"AD", "AR"}


def test_modes_follow_the_chromosome() -> None:
    assert modes_for_chrom(frozenset(), 0) == {"AD", "AR"}
    assert modes_for_chrom(frozenset(), CHROM_X) == {"XD", "XR"}
    assert modes_for_chrom(frozenset({"AR"}), CHROM_X) == {"XR"}
    assert modes_for_chrom(frozenset({"AD"}), CHROM_X) == {"XD"}
    assert modes_for_chrom(frozenset({"XR"}), 5) == {"AR"}
