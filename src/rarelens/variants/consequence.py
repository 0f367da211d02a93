"""Sequence Ontology consequence terms, ordered by severity as VEP orders them.

Annotations from VEP (``CSQ``) and SnpEff (``ANN``) and our own gene-table annotation all map
onto this one vocabulary, so filters, scores and ACMG rules never care where a consequence came
from. Our own annotator knows exons but not coding sequence (the offline gene tables carry no
CDS), so for an SNV inside an exon it can only say ``exon_variant``; VEP or SnpEff annotations in
the VCF, when present, replace that with the real protein consequence.
"""

from __future__ import annotations

from typing import Final

# Most severe first. The default pathogenicity is the prior probability that a rare variant of
# this class damages the gene's product when no predictor score is known; the values follow
# Exomiser's consequence defaults for the classes they share and sit between its missense and
# splice-region values for the coarse classes only our gene-table annotator emits.
CONSEQUENCES: Final[tuple[tuple[str, float], ...]] = (
    ("transcript_ablation", 1.0),
    ("splice_acceptor_variant", 1.0),
    ("splice_donor_variant", 1.0),
    ("stop_gained", 1.0),
    ("frameshift_variant", 1.0),
    ("stop_lost", 1.0),
    ("start_lost", 1.0),
    ("transcript_amplification", 1.0),
    ("inframe_insertion", 0.8),
    ("inframe_deletion", 0.8),
    ("missense_variant", 0.6),
    ("protein_altering_variant", 0.6),
    ("exon_variant", 0.6),  # SNV/MNV in an exon; coding effect unknown without a CDS
    ("splice_region_variant", 0.4),
    ("splice_donor_5th_base_variant", 0.5),
    ("splice_donor_region_variant", 0.3),
    ("splice_polypyrimidine_tract_variant", 0.2),
    ("incomplete_terminal_codon_variant", 0.3),
    ("start_retained_variant", 0.1),
    ("stop_retained_variant", 0.1),
    ("synonymous_variant", 0.1),
    ("coding_sequence_variant", 0.5),
    ("mature_miRNA_variant", 0.3),
    ("5_prime_UTR_variant", 0.1),
    ("3_prime_UTR_variant", 0.1),
    ("non_coding_transcript_exon_variant", 0.1),
    ("intron_variant", 0.0),
    ("NMD_transcript_variant", 0.0),
    ("non_coding_transcript_variant", 0.0),
    ("upstream_gene_variant", 0.0),
    ("downstream_gene_variant", 0.0),
    ("regulatory_region_variant", 0.0),
    ("intergenic_variant", 0.0),
)

RANK: Final[dict[str, int]] = {name: i for i, (name, _) in enumerate(CONSEQUENCES)}
DEFAULT_PATHOGENICITY: Final[dict[str, float]] = dict(CONSEQUENCES)

LOSS_OF_FUNCTION: Final[frozenset[str]] = frozenset(
    {
        "transcript_ablation",
        "splice_acceptor_variant",
        "splice_donor_variant",
        "stop_gained",
        "frameshift_variant",
        "start_lost",
    }
)
# Classes that can change the protein or its splicing: the "coding or splice" set most exome
# pipelines keep before ranking.
PROTEIN_OR_SPLICE: Final[frozenset[str]] = frozenset(
    name for name, _ in CONSEQUENCES[: RANK["splice_polypyrimidine_tract_variant"] + 1]
) | {"coding_sequence_variant", "incomplete_terminal_codon_variant", "stop_retained_variant",
     "start_retained_variant", "synonymous_variant"}

# SnpEff and older VEP spellings onto the names above.
ALIASES: Final[dict[str, str]] = {
    "exon_loss_variant": "transcript_ablation",
    "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant",
    "initiator_codon_variant": "start_lost",
    "non_coding_exon_variant": "non_coding_transcript_exon_variant",
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "rare_amino_acid_variant": "missense_variant",
    "5_prime_UTR_truncation": "5_prime_UTR_variant",
    "3_prime_UTR_truncation": "3_prime_UTR_variant",
    "intragenic_variant": "intron_variant",
    "intergenic_region": "intergenic_variant",
    "gene_fusion": "transcript_ablation",
    "bidirectional_gene_fusion": "transcript_ablation",
    "feature_elongation": "coding_sequence_variant",
    "feature_truncation": "coding_sequence_variant",
}


def canonical_consequence(term: str) -> str | None:
    """The vocabulary name for one SO term, or None when the term is not a consequence we use."""
    t = ALIASES.get(term, term)
    return t if t in RANK else None


def most_severe(terms: str) -> str | None:
    """Most severe known term in an ``&``-joined VEP/SnpEff consequence string."""
    best: str | None = None
    for raw in terms.split("&"):
        t = canonical_consequence(raw.strip())
        if t is not None and (best is None or RANK[t] < RANK[best]):
            best = t
    return best
