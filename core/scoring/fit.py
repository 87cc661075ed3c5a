"""Fit scoring, vectorised: many candidates against many jobs as a handful of matrix operations.

Each (candidate, job) pair gets five components in [0, 1], weighted by ``[score]`` in talvix.toml:

* **skills** — required skills matched, counted ``required_skill_weight`` times a nice-to-have match,
  over what the job asks for (a job that names no skill falls back to the text similarity);
* **text** — BM25-weighted cosine between the candidate's profile text and the job's title and
  description (BM25 term saturation and length normalisation on the job side, IDF over the jobs being
  scored), square-rooted because resume/JD cosines rarely pass 0.5;
* **experience** — years short of the job's minimum, relative to that minimum;
* **location** — remote jobs match anyone open to remote; otherwise a shared place (city, or a country
  when the job names only a country), including where the candidate would relocate to;
* **salary** — the job's top of range (INR) against what the candidate wants, squared below it.

Knock-outs turn any score into ``skip``: years far short (``knockout_years_short``), an on-site or hybrid
job in a place the candidate does not live in or move to, and a job that cannot sponsor when the
candidate needs sponsorship. Otherwise ``apply`` at ``apply_threshold`` and ``review`` at
``review_threshold``.

Jobs are indexed once (:func:`index_jobs`: sparse skill, place and term matrices plus numeric vectors);
candidates are turned into the same spaces (:func:`candidate_features`) and :func:`score` computes the
pairwise matrices block by block (:func:`score_blocks`: a few hundred candidates x a few hundred jobs at
a time), so a caller keeping counts and chosen pairs scores in flat memory; :func:`score` assembles the
whole matrices for small sets.
:meth:`ScoreResult.breakdown` recomputes one pair through the same code, with the skill names.

Several cores (``workers``, default the cores this process may run on): a big index counts its job
texts' terms in forked processes, a range of texts each, and block scoring runs the next block's text
product on a helper thread. ``workers=1`` does everything in one process and one thread; the index and
the scores are the same either way.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import math
import mmap
import multiprocessing
import os
import re
import tempfile
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain, compress, islice
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from scipy import sparse

from core.candidates import skills as vocab

if TYPE_CHECKING:
    from core.config import ScoreSettings

DECISIONS = ("skip", "review", "apply")
KNOCK_YEARS, KNOCK_LOCATION, KNOCK_SPONSORSHIP = 1, 2, 4
KNOCKOUT_NAMES = {KNOCK_YEARS: "years", KNOCK_LOCATION: "location", KNOCK_SPONSORSHIP: "sponsorship"}
COMPONENTS = ("skills", "text", "experience", "location", "salary")

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9]+)*")
_STOP = frozenset("""a an and are as at be been but by can do for from has have he her his i if in into is it its
    me my no not of on or our she so such than that the their them then there these they this those to too us was
    we were what when where which who will with would you your yours able about above after all also am any
    because before being below between both each few further here how just more most must other out over own
    same should some very via while within without work working team role join looking years year experience
    strong good great ability skills etc""".split())
K1, B = 1.2, 0.75
#: Terms of a candidate's profile used as the text query.
QUERY_TERMS = 40
_MIN_DOCS_FOR_COMMON = 20

# Places: aliases to one spelling, and countries (a job naming only a country matches anyone in it).
_PLACE_ALIASES = {"bangalore": "bengaluru", "bombay": "mumbai", "gurgaon": "gurugram", "madras": "chennai",
                  "calcutta": "kolkata", "new delhi": "delhi", "delhi ncr": "delhi", "ncr": "delhi",
                  "noida": "delhi", "navi mumbai": "mumbai", "poona": "pune", "us": "united states",
                  "usa": "united states", "u.s.": "united states", "uk": "united kingdom", "nyc": "new york",
                  "sf": "san francisco", "bay area": "san francisco", "trivandrum": "thiruvananthapuram"}
_COUNTRIES = frozenset({"india", "united states", "united kingdom", "germany", "singapore", "canada", "australia",
                        "france", "netherlands", "ireland", "uae", "united arab emirates", "japan", "spain",
                        "poland", "sweden", "switzerland", "brazil", "mexico", "israel", "europe", "emea",
                        "apac", "asia", "north america", "latam"})
_PLACE_NOISE = re.compile(r"\b(?:remote|hybrid|on[- ]?site|onsite|office|anywhere|worldwide|global|in|or|and|"
                          r"only|based|preferred|first|friendly|work from home|wfh|hq|area|metro)\b", re.I)
_PLACE_SPLIT = re.compile(r"[,;/|()\[\]•·]+|\s+-\s+|\s+(?:or|and)\s+")


def place_tokens(text: str | None, *, drop_countries_if_city: bool = False) -> list[str]:
    """Normalised place names in a location string ("Bangalore, India / Remote" -> bengaluru, india)."""
    if not text:
        return []
    return list(_place_tokens(text, drop_countries_if_city))


@lru_cache(maxsize=65_536)
def _place_tokens(text: str, drop_countries_if_city: bool) -> tuple[str, ...]:
    out: list[str] = []
    for part in _PLACE_SPLIT.split(text.lower()):
        name = re.sub(r"\s+", " ", _PLACE_NOISE.sub(" ", part)).strip(" .-")
        if len(name) < 2 or name.isdigit():
            continue
        name = _PLACE_ALIASES.get(name, name)
        if name not in out:
            out.append(name)
    if drop_countries_if_city and any(p not in _COUNTRIES for p in out):
        out = [p for p in out if p not in _COUNTRIES]
    return tuple(out)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


# Job texts are tokenised a piece at a time. Every byte that cannot be part of a token becomes a space
# (non-ASCII characters are replaced first: they are never token characters) and the text is split in C
# into pieces; a token never spans a space, so a piece of letters and digits only is one token, and only
# the distinct pieces that hold ``+``, ``#`` or ``.`` ("c++", "node.js", "experience.") go through the
# regex, once each however often they occur. This gives exactly the regex's tokens (order within a
# document does not matter: a document is a bag of terms).
_TOKEN_BYTES = re.compile(_TOKEN.pattern.encode("ascii"))
_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789+#.")
_SPACE_TABLE = bytes(c if c in _KEEP else 32 for c in range(256))
#: Ends every document in a chunk of job texts: a piece no text can make (NUL became a space above).
_DOC_END = b" \x00 "
#: Job texts split and numbered together (bounded memory: the pieces of one chunk at a time).
_CHUNK_DOCS = 2_000


@lru_cache(maxsize=65_536)
def _skill_name(name: str) -> str:
    return vocab.normalise(name) or name.strip().lower()


class Vocab:
    """A growing name -> column map (skills, places), shared by the job index and candidates."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        for n in names:
            self.add(n)

    def add(self, name: str) -> int:
        i = self.index.get(name)
        if i is None:
            i = self.index[name] = len(self.names)
            self.names.append(name)
        return i

    def add_all(self, names: Iterable[str]) -> list[int]:
        """The columns of ``names``, new names added: the lookups run inside C-level ``map``."""
        numbering: defaultdict[str, int] = defaultdict(None, self.index)
        numbering.default_factory = numbering.__len__
        ids = list(map(numbering.__getitem__, names))
        if len(numbering) > len(self.names):
            self.names.extend(islice(numbering, len(self.names), None))
            self.index = dict(numbering)
        return ids

    def __len__(self) -> int:
        return len(self.names)

    def copy(self) -> Vocab:
        twin = Vocab()
        twin.index = dict(self.index)
        twin.names = list(self.names)
        return twin


def _binary_rows(rows: Sequence[Sequence[int]], ncols: int) -> sparse.csr_matrix:
    """A 0/1 CSR matrix with a row per list of column ids (duplicates folded in C, not in Python)."""
    return _binary_flat(list(chain.from_iterable(rows)), list(map(len, rows)), ncols)


def _binary_flat(ids: Sequence[int], lengths: Sequence[int], ncols: int) -> sparse.csr_matrix:
    """:func:`_binary_rows` from the column ids of all rows in one list and each row's count of them."""
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths, dtype=np.int64), out=indptr[1:])
    indices = np.asarray(ids, dtype=np.int32)
    m = sparse.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(lengths), ncols))
    m.sum_duplicates()
    np.minimum(m.data, 1, out=m.data)
    return m


def _resize(m: sparse.csr_matrix, ncols: int) -> sparse.csr_matrix:
    if m.shape[1] == ncols:
        return m
    return sparse.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], ncols))


def _fnum(value: Any) -> float:
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


# ------------------------------------------------------------------------------------------------
# Jobs
# ------------------------------------------------------------------------------------------------
@dataclass
class JobIndex:
    ids: np.ndarray
    titles: list[str]
    skills: Vocab
    places: Vocab
    terms: dict[str, int]
    idf: np.ndarray
    required: sparse.csr_matrix  # J x S
    nice: sparse.csr_matrix  # J x S
    place: sparse.csr_matrix  # J x P
    text: sparse.csr_matrix  # J x V, BM25 weights, rows L2-normalised
    years_min: np.ndarray
    years_max: np.ndarray
    remote: np.ndarray  # bool
    strict_place: np.ndarray  # bool: on-site or hybrid (a place mismatch knocks out)
    salary_max_lpa: np.ndarray
    no_sponsorship: np.ndarray  # bool
    required_count: np.ndarray = field(default_factory=lambda: np.zeros(0))
    nice_count: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _weighted: dict[float, sparse.csr_matrix] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def weighted_skills(self, required_weight: float) -> sparse.csr_matrix:
        """required x weight + nice: one product gives the weighted skill matches."""
        cached = self._weighted.get(required_weight)
        if cached is None:
            cached = self._weighted[required_weight] = (self.required * np.float32(required_weight) + self.nice).tocsr()
        return cached

    def for_candidates(self) -> JobIndex:
        """This index with vocabularies of its own: :func:`candidate_features` adds the candidates' skills and
        places to them, so an index kept to score many candidates (``core.scoring.run``) hands each caller
        one of these and stays as it was built. The matrices are shared, not copied."""
        return replace(self, skills=self.skills.copy(), places=self.places.copy())

    def subset(self, n: int) -> JobIndex:
        """The first ``n`` jobs, keeping this index's vocabularies and IDF (jobs after ``n`` only lent
        their term statistics)."""
        sl = slice(0, n)
        return JobIndex(
            ids=self.ids[sl], titles=self.titles[sl], skills=self.skills, places=self.places, terms=self.terms,
            idf=self.idf, required=self.required[sl], nice=self.nice[sl], place=self.place[sl], text=self.text[sl],
            years_min=self.years_min[sl], years_max=self.years_max[sl], remote=self.remote[sl],
            strict_place=self.strict_place[sl], salary_max_lpa=self.salary_max_lpa[sl],
            no_sponsorship=self.no_sponsorship[sl], required_count=self.required_count[sl],
            nice_count=self.nice_count[sl])


def _job_text(job: dict[str, Any]) -> str:
    title = job.get("title") or ""
    return f"{title}\n{title}\n{job.get('description') or ''}"


class _JobTexts(Sequence[str]):
    """The jobs' texts, made when asked for (a chunk at a time, in whichever process counts them), so the
    texts of all jobs are never held at once."""

    def __init__(self, jobs: Sequence[dict[str, Any]]) -> None:
        self.jobs = jobs

    def __len__(self) -> int:
        return len(self.jobs)

    def __iter__(self) -> Iterator[str]:
        return map(_job_text, self.jobs)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> _JobTexts: ...

    def __getitem__(self, i: int | slice) -> str | _JobTexts:
        if isinstance(i, slice):  # still lazy: a range, then a chunk of it
            return _JobTexts(self.jobs[i])
        return _job_text(self.jobs[i])


def _salary_lpa(parsed: dict[str, Any]) -> float:
    pay = parsed.get("salary") or {}
    if not isinstance(pay, dict) or pay.get("currency") not in (None, "INR"):
        return math.nan
    if pay.get("max_lpa") is None and pay.get("min_lpa") is not None and "max" in pay and pay.get("max") is None:
        return math.nan  # "from 10 LPA": no most, so how far it reaches is unknown (scored as unknown)
    return _fnum(pay.get("max_lpa") if pay.get("max_lpa") is not None else pay.get("min_lpa"))


def index_jobs(jobs: Sequence[dict[str, Any]], workers: int | None = None) -> JobIndex:
    """Index jobs (dicts with ``id title description location workplace parsed``; ``parsed`` from jd_parse).

    ``workers``: processes that count the job texts' terms at once (default :func:`default_workers`;
    1 counts them in this process; the index is the same either way)."""
    counting = _TermCounting(_JobTexts(jobs), workers)  # workers count while this loop runs
    try:
        skills_v = Vocab(vocab.VOCABULARY)
        places_v = Vocab()
        req_names: list[str] = []
        nice_names: list[str] = []
        place_names: list[str] = []
        req_len: list[int] = []
        nice_len: list[int] = []
        place_len: list[int] = []
        n = len(jobs)
        ymin = np.full(n, np.nan, dtype=np.float32)
        ymax = np.full(n, np.nan, dtype=np.float32)
        remote = np.zeros(n, dtype=bool)
        strict = np.zeros(n, dtype=bool)
        sal = np.full(n, np.nan, dtype=np.float32)
        nosp = np.zeros(n, dtype=bool)
        for i, job in enumerate(jobs):
            p = job.get("parsed") or {}
            req = p.get("required_skills") or ()
            req_names.extend(req)
            req_len.append(len(req))
            nice = p.get("nice_skills") or ()
            nice_names.extend(nice)
            nice_len.append(len(nice))
            places = place_tokens(p.get("location") or job.get("location") or "", drop_countries_if_city=True)
            place_names.extend(places)
            place_len.append(len(places))
            ymin[i] = _fnum(p.get("years_min"))
            ymax[i] = _fnum(p.get("years_max"))
            wp = p.get("workplace") or job.get("workplace")
            remote[i] = wp == "remote"
            strict[i] = wp in ("onsite", "hybrid")
            sal[i] = _salary_lpa(p)
            nosp[i] = p.get("sponsorship") is False
        # Names to columns for all jobs at once (C-level map over the dicts, not a call per name).
        req_ids = skills_v.add_all(map(_skill_name, req_names))
        nice_ids = skills_v.add_all(map(_skill_name, nice_names))
        place_ids = places_v.add_all(place_names)
        nskills, nplaces = len(skills_v), len(places_v)
        required = _binary_flat(req_ids, req_len, nskills)
        nice = _binary_flat(nice_ids, nice_len, nskills)
        nice = nice - nice.multiply(required)  # a skill both required and nice counts as required
        nice.eliminate_zeros()
    except BaseException:
        counting.cancel()
        raise
    text, terms, idf = _bm25_index(counting.result())
    return JobIndex(
        ids=np.asarray([int(j.get("id") or 0) for j in jobs], dtype=np.int64), titles=[j.get("title") or "" for j in jobs],
        skills=skills_v, places=places_v, terms=terms, idf=idf, required=required.tocsr(), nice=nice.tocsr(),
        place=_binary_flat(place_ids, place_len, nplaces), text=text, years_min=ymin, years_max=ymax, remote=remote,
        strict_place=strict, salary_max_lpa=sal, no_sponsorship=nosp,
        required_count=np.asarray(required.sum(axis=1)).ravel().astype(np.float32),
        nice_count=np.asarray(nice.sum(axis=1)).ravel().astype(np.float32),
    )


class _PieceCounter:
    """Counts the terms of job texts a chunk at a time, keeping what it has learnt between chunks: the
    pieces seen (numbered by a dict inside C-level ``map``: no per-token bytecode), the term each piece
    is, and the terms in the order first seen. One counter goes over consecutive documents, so its term
    order is the order in which the terms first occur."""

    def __init__(self) -> None:
        self.pieces: defaultdict[bytes, int] = defaultdict()
        self.pieces.default_factory = self.pieces.__len__  # a new piece gets the next id, inside map()
        self.end_id = self.pieces[_DOC_END.strip()]
        self.terms: dict[bytes, int] = {}
        self.term_of = np.full(1024, -2, dtype=np.int64)  # piece id -> term id; -2 no token; -1 several
        self.several: dict[int, list[int]] = {}
        self.seen = 1  # pieces mapped so far (the document end maps to no token)

    def _learn(self) -> None:
        """Turn each piece seen for the first time into its tokens (once per distinct piece)."""
        pieces, terms = self.pieces, self.terms
        new = list(islice(pieces, self.seen, None))
        if len(pieces) > len(self.term_of):
            grow = np.full(max(len(pieces), len(self.term_of)), -2, dtype=np.int64)
            self.term_of = np.concatenate([self.term_of, grow])
        for pid, piece in enumerate(new, start=self.seen):
            toks = [piece] if piece.isalnum() else _TOKEN_BYTES.findall(piece)
            tids = [terms.setdefault(t, len(terms)) for t in toks]
            if len(tids) == 1:
                self.term_of[pid] = tids[0]
            elif tids:
                self.term_of[pid], self.several[pid] = -1, tids
        self.seen = len(pieces)

    def chunk(self, part: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """The chunk's documents x terms counts (CSR, canonical, as wide as the terms known so far) and
        each document's token count."""
        text = b"".join([d.lower().encode("ascii", "replace").translate(_SPACE_TABLE) + _DOC_END for d in part])
        split = text.split()
        del text
        ids = np.fromiter(map(self.pieces.__getitem__, split), dtype=np.int64, count=len(split))
        del split
        if len(self.pieces) > self.seen:
            self._learn()
        is_end = ids == self.end_id
        doc = np.cumsum(is_end) - is_end  # the document (within the chunk) each piece belongs to
        term = self.term_of[ids]
        keep = term >= 0
        counts = np.bincount(doc[keep], minlength=len(part))
        indptr = np.zeros(len(part) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        cols = term[keep].astype(np.int32)
        width = len(self.terms)
        block = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), cols, indptr), shape=(len(part), width))
        # Two counting-sort passes (linear) order every row's columns; duplicates are then summed.
        block = block.tocsc().tocsr()
        block.sum_duplicates()
        if self.several:  # tokens of the (rare) pieces that hold several: added as a second matrix
            at = np.flatnonzero(term == -1)
            if len(at):
                xr = np.repeat(doc[at], [len(self.several[p]) for p in ids[at].tolist()])
                xc = list(chain.from_iterable(self.several[p] for p in ids[at].tolist()))
                extra = sparse.csr_matrix((np.ones(len(xr), dtype=np.float32), (xr, xc)), shape=block.shape)
                block = (block + extra).tocsr()
                block.sum_duplicates()
                counts += np.bincount(xr, minlength=len(part))
        return block, counts


_Counts = tuple[list[bytes], list[tuple[np.ndarray, np.ndarray, np.ndarray]], np.ndarray]


def _count_range(docs: Sequence[str]) -> _Counts:
    """Term counts of consecutive documents, :data:`_CHUNK_DOCS` at a time (the arrays stay small and
    cache-warm): the terms in the order first seen, each chunk's CSR arrays (data, indices, indptr;
    columns numbered by those terms) and every document's token count."""
    counter = _PieceCounter()
    blocks, lengths = [], []
    for lo in range(0, len(docs), _CHUNK_DOCS):
        block, counts = counter.chunk(docs[lo:lo + _CHUNK_DOCS])
        blocks.append((block.data, block.indices, block.indptr))
        lengths.append(counts)
    return list(counter.terms), blocks, np.concatenate(lengths or [np.zeros(0, dtype=np.int64)])


def default_workers() -> int:
    """Cores this process may run on: its CPU affinity where the OS has one (else ``os.cpu_count()``),
    at most its container's CPU quota (cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``) when it has one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = _cpu_quota()
    return max(1, min(cores, quota) if quota else cores)


def _cpu_quota(root: str = "/sys/fs/cgroup") -> int | None:
    """The cgroup's CPU limit in whole cores (rounded up), or None when there is none or it cannot be read."""
    for path, period_path in ((f"{root}/cpu.max", None),
                              (f"{root}/cpu/cpu.cfs_quota_us", f"{root}/cpu/cpu.cfs_period_us")):
        try:
            with open(path) as f:
                fields = f.read().split()
            if period_path is not None:
                with open(period_path) as f:
                    fields.append(f.read().strip())
            quota, period = fields[0], fields[1]
            if quota in ("max", "-1"):
                return None
            return max(1, math.ceil(int(quota) / int(period)))
        except (OSError, ValueError, IndexError, ZeroDivisionError):
            continue
    return None


#: Fewest job texts worth a forked worker: below it, forking and sending the counts back costs more
#: than counting in this process.
MIN_DOCS_PER_WORKER = 2_000

#: Where a worker's counts go: a file in memory (tmpfs) where there is one, else the temporary folder.
_SHARED_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def _count_in_child(conn: Any, out_fd: int, docs: Sequence[str]) -> None:
    """A worker: count its documents (inherited through fork, never pickled), write the arrays into the
    (already unlinked) file ``out_fd`` and send the terms and where each array is (a pipe would carry
    tens of MB through a 64 kB buffer)."""
    # No collection in the worker: it would write to every object inherited from the parent (copying
    # their pages) and could finalise the parent's garbage, such as a connection sharing its socket.
    gc.disable()
    try:
        terms, blocks, lengths = _count_range(docs)
        where, offset = [], 0
        with open(os.dup(out_fd), "wb") as out:
            for arr in chain.from_iterable(blocks):
                where.append((arr.dtype.str, len(arr), offset))
                out.write(np.ascontiguousarray(arr).data.cast("B"))
                offset += arr.nbytes
                pad = -offset % 8  # every array starts 8-byte aligned
                out.write(b"\0" * pad)
                offset += pad
            where.append((lengths.dtype.str, len(lengths), offset))
            out.write(np.ascontiguousarray(lengths).data.cast("B"))
        conn.send((terms, where))
    except BaseException:  # the parent counts this range itself
        conn.send(None)
    finally:
        conn.close()


def _read_counts(got: tuple[list[bytes], list[tuple[str, int, int]]], out: Any) -> _Counts:
    """A worker's counts from what it sent and the file it wrote (mapped, not copied)."""
    terms, where = got
    size = os.fstat(out.fileno()).st_size
    buf = mmap.mmap(out.fileno(), size, access=mmap.ACCESS_READ) if size else b""
    arrays = [np.frombuffer(buf, dtype=dt, count=count, offset=offset) for dt, count, offset in where]
    lengths = arrays.pop()
    blocks = [(arrays[i], arrays[i + 1], arrays[i + 2]) for i in range(0, len(arrays), 3)]
    return terms, blocks, lengths


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None where the C library has none (musl and others)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def trim_heap() -> None:
    """Give the heap's free pages back to the OS (glibc's ``malloc_trim``; nothing elsewhere): before forking, and
    after a big index is built (``core.scoring.run``), so a long-lived runner does not keep what it freed.

    A process that has just freed a lot (a runner after a big scoring run) keeps those pages mapped; after a
    fork they are shared, and whichever process reuses one first copies it (a copy-on-write fault per
    page). Trimmed, new allocations get fresh pages in both processes instead."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class _TermCounting:
    """Counting the terms of job texts, started at once and finished by :meth:`result`.

    With ``workers`` > 1 (default: :func:`default_workers`) and enough documents, the documents are cut
    into consecutive ranges: forked processes count all but the first while this process does whatever
    its caller does until :meth:`result` (index_jobs: the skills, places and numbers of every job), then
    counts the first and renumbers each worker's terms into one term map (a dict lookup per distinct term of a
    range, not per token). Tokenising holds the GIL, so threads would not help. Terms are numbered in
    the order they first occur either way, so the result is the same, column for column, whatever the
    number of workers."""

    def __init__(self, docs: Sequence[str], workers: int | None = None) -> None:
        self.docs = docs
        n = len(docs)
        workers = default_workers() if workers is None else max(1, int(workers))
        workers = min(workers, n // MIN_DOCS_PER_WORKER)
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            workers = 1
        self.bounds = [n * i // workers for i in range(workers + 1)]
        self.children: list[tuple[Any, Any, Any, int, int]] = []
        if workers < 2:
            return
        ctx = multiprocessing.get_context("fork")  # the worker's arguments are inherited, not pickled
        trim_heap()
        try:
            for lo, hi in zip(self.bounds[1:-1], self.bounds[2:]):
                out = tempfile.TemporaryFile(dir=_SHARED_DIR)  # no name: nothing to clean up after a crash
                parent_end, child_end = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_count_in_child, args=(child_end, out.fileno(), docs[lo:hi]), daemon=True)
                self.children.append((proc, parent_end, out, lo, hi))
                proc.start()
                child_end.close()
        except BaseException:
            self._stop(wanted=False)
            raise

    def cancel(self) -> None:
        """Stop the workers (their counts are not wanted)."""
        self._stop(wanted=False)

    def _stop(self, wanted: bool) -> None:
        for proc, conn, out, _, _ in self.children:
            conn.close()
            out.close()  # a mapping of it stays readable until its arrays are dropped
            if not wanted and proc.pid is not None:  # interrupted: the workers' counts are not wanted
                proc.terminate()
            if proc.pid is not None:
                proc.join()
        self.children = []

    def _ranges(self) -> list[_Counts]:
        docs = self.docs
        done = False
        try:
            results = [_count_range(docs[self.bounds[0]:self.bounds[1]])]
            for _, conn, out, lo, hi in self.children:
                try:
                    got = conn.recv()
                except (EOFError, OSError):  # the worker died: count its range here
                    got = None
                results.append(_read_counts(got, out) if got is not None else _count_range(docs[lo:hi]))
            done = True
        finally:
            self._stop(wanted=done)
        return results

    def result(self) -> tuple[sparse.csr_matrix, list[bytes], np.ndarray]:
        """Documents x terms counts (CSR, canonical), the terms by column and each document's token count."""
        terms: defaultdict[bytes, int] = defaultdict()
        terms.default_factory = terms.__len__  # a term not seen in an earlier range gets the next column
        data, indices, indptrs, lengths = [], [], [np.zeros(1, dtype=np.int64)], []
        offset = 0
        for local_terms, blocks, lens in self._ranges():
            remap = np.fromiter(map(terms.__getitem__, local_terms), dtype=np.int32, count=len(local_terms))
            renumbered = len(remap) > 0 and not (remap == np.arange(len(remap), dtype=np.int32)).all()
            for d, ind, ptr in blocks:
                if renumbered:  # columns renumbered: order each row's columns again (two linear passes)
                    block = sparse.csr_matrix((d, remap[ind], ptr), shape=(len(ptr) - 1, len(terms))).tocsc().tocsr()
                    d, ind, ptr = block.data, block.indices, block.indptr
                data.append(d)
                indices.append(ind)
                indptrs.append(ptr[1:] + offset)
                offset += len(d)
            lengths.append(lens)
        tf = sparse.csr_matrix((np.concatenate(data or [np.zeros(0, dtype=np.float32)]),
                                np.concatenate(indices or [np.zeros(0, dtype=np.int32)]),
                                np.concatenate(indptrs).astype(np.int64)), shape=(len(self.docs), len(terms)))
        tf.has_canonical_format = True
        return tf, list(terms), np.concatenate(lengths).astype(np.int64)


def _term_counts(docs: Sequence[str], workers: int | None = None) -> tuple[sparse.csr_matrix, list[bytes], np.ndarray]:
    """Documents x terms counts (CSR, canonical), the terms by column and each document's token count
    (:class:`_TermCounting`, started and finished at once)."""
    return _TermCounting(docs, workers).result()


def _bm25_index(counts: tuple[sparse.csr_matrix, list[bytes], np.ndarray]
                ) -> tuple[sparse.csr_matrix, dict[str, int], np.ndarray]:
    """Job term matrix with BM25 weights (rows L2-normalised), the term map and the IDF vector, from the
    job texts' term counts (:func:`_term_counts`, where most of the time of a big index goes)."""
    tf, term_bytes, lens = counts
    names = {t.decode("ascii"): i for i, t in enumerate(term_bytes)}
    ndocs = max(1, tf.shape[0])
    df = np.bincount(tf.indices, minlength=len(names)).astype(np.float32)
    idf = np.log1p((ndocs - df + 0.5) / (df + 0.5)).astype(np.float32) + np.float32(0.1)
    if ndocs >= _MIN_DOCS_FOR_COMMON:
        # Terms in over half the jobs tell them apart no better than stop words (classic BM25 gives them a
        # negative IDF); dropping them also removes the longest posting lists from every product.
        idf[df > ndocs * 0.5] = 0.0
    if _STOP:
        stop_ids = [names[t] for t in _STOP if t in names]
        idf[stop_ids] = 0.0
    dl = lens.astype(np.float32)
    avgdl = float(dl.mean()) if len(dl) and dl.mean() > 0 else 1.0
    # idf * f * (K1 + 1) / (f + K1 * (1 - B + B * dl / avgdl)), in place over the matrix's entries.
    per_row = np.diff(tf.indptr)
    denom = np.repeat(dl * np.float32(K1 * B / avgdl) + np.float32(K1 * (1 - B)), per_row)
    f = tf.data
    denom += f
    f *= np.float32(K1 + 1)
    f /= denom
    del denom
    f *= idf[tf.indices]
    tf.eliminate_zeros()  # stop words (IDF 0) leave the matrix: fewer entries in every product
    per_row = np.diff(tf.indptr)
    squares = sparse.csr_matrix((tf.data * tf.data, tf.indices, tf.indptr), shape=tf.shape)
    norms = np.sqrt(np.asarray(squares.sum(axis=1)).ravel()).astype(np.float32)
    del squares
    norms[norms == 0] = 1.0
    tf.data /= np.repeat(norms, per_row)
    return tf, names, idf


# ------------------------------------------------------------------------------------------------
# Candidates
# ------------------------------------------------------------------------------------------------
@dataclass
class CandidateFeatures:
    ids: np.ndarray
    skills: sparse.csr_matrix  # K x S
    place: sparse.csr_matrix  # K x P
    text: sparse.csr_matrix  # K x V (IDF-weighted query, L2-normalised)
    years: np.ndarray
    open_to_remote: np.ndarray
    has_place: np.ndarray
    wants_lpa: np.ndarray
    needs_sponsorship: np.ndarray
    skill_names: list[set[str]]

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, sl: slice) -> CandidateFeatures:
        """The candidates of ``sl`` (a block scored on its own)."""
        if sl == slice(None) or (sl.start in (None, 0) and (sl.stop is None or sl.stop >= len(self))):
            return self
        return CandidateFeatures(
            ids=self.ids[sl], skills=self.skills[sl], place=self.place[sl], text=self.text[sl],
            years=self.years[sl], open_to_remote=self.open_to_remote[sl], has_place=self.has_place[sl],
            wants_lpa=self.wants_lpa[sl], needs_sponsorship=self.needs_sponsorship[sl],
            skill_names=self.skill_names[sl])


def candidate_skills(profile: dict[str, Any]) -> list[str]:
    names = list(profile.get("skills") or []) + list((profile.get("skills_years") or {}).keys())
    return list(dict.fromkeys(_skill_name(s) for s in names if isinstance(s, str) and s.strip()))


def candidate_text(profile: dict[str, Any]) -> str:
    parts: list[str] = [profile.get("summary") or ""]
    work = profile.get("work") or {}
    parts.append(work.get("current_title") or "")
    parts.extend((profile.get("preferences") or {}).get("roles") or [])
    for exp in profile.get("experience") or []:
        if isinstance(exp, dict):
            parts.append(exp.get("title") or "")
            parts.extend(exp.get("bullets") or [])
    parts.extend(profile.get("skills") or [])
    return "\n".join(str(p) for p in parts if p)


def candidate_places(profile: dict[str, Any]) -> list[str]:
    ident = profile.get("identity") or {}
    work = profile.get("work") or {}
    prefs = profile.get("preferences") or {}
    out: list[str] = []
    for text in [ident.get("location") or profile.get("location")] + list(prefs.get("locations") or []) + \
            list(work.get("relocate_to") or []):
        for t in place_tokens(text):
            if t not in out:
                out.append(t)
    return out


def _query_terms(ids: list[int], idf: np.ndarray) -> list[int]:
    """A profile is a long query: keep its :data:`QUERY_TERMS` most distinctive terms (highest IDF).

    Verbose queries rank better reduced to their rarer terms, and the common ones are exactly those
    whose long posting lists make the text product expensive."""
    seen = list(dict.fromkeys(ids))
    uniq = list(compress(seen, (idf[seen] > 0).tolist())) if seen else []
    if len(uniq) <= QUERY_TERMS:
        return uniq
    weights = idf[uniq]
    keep = np.argpartition(-weights, QUERY_TERMS)[:QUERY_TERMS]
    return [uniq[i] for i in sorted(keep)]


def candidate_features(candidates: Sequence[tuple[int, dict[str, Any]]], index: JobIndex) -> CandidateFeatures:
    """Candidates (id, Profile-shaped dict) in the job index's skill, place and term spaces.

    Skills and places the jobs never mention get columns too (they simply match nothing)."""
    k = len(candidates)
    skill_rows, place_rows, text_rows = [], [], []
    years = np.full(k, np.nan, dtype=np.float32)
    remote_ok = np.ones(k, dtype=bool)
    has_place = np.zeros(k, dtype=bool)
    wants = np.full(k, np.nan, dtype=np.float32)
    needs = np.zeros(k, dtype=bool)
    names: list[set[str]] = []
    terms = index.terms
    for i, (_, profile) in enumerate(candidates):
        sk = candidate_skills(profile)
        names.append(set(sk))
        skill_rows.append([index.skills.add(s) for s in sk])
        places = candidate_places(profile)
        has_place[i] = bool(places)
        place_rows.append([index.places.add(p) for p in places])
        text_rows.append(_query_terms([t for t in map(terms.get, tokens(candidate_text(profile))) if t is not None],
                                      index.idf))
        work = profile.get("work") or {}
        prefs = profile.get("preferences") or {}
        years[i] = _fnum(work.get("years_experience"))
        remote_ok[i] = prefs.get("remote") is not False
        want = prefs.get("min_ctc_lpa") if prefs.get("min_ctc_lpa") is not None else work.get("expected_ctc_lpa")
        wants[i] = _fnum(want)
        needs[i] = work.get("needs_sponsorship") is True
    text = _binary_rows(text_rows, len(terms))
    text.data = index.idf[text.indices].astype(np.float32)
    text.eliminate_zeros()
    norms = np.sqrt(np.asarray(text.multiply(text).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    text.data /= np.repeat(norms, np.diff(text.indptr)).astype(np.float32)
    return CandidateFeatures(
        ids=np.asarray([int(c[0]) for c in candidates], dtype=np.int64),
        skills=_binary_rows(skill_rows, len(index.skills)), place=_binary_rows(place_rows, len(index.places)),
        text=text, years=years, open_to_remote=remote_ok, has_place=has_place, wants_lpa=wants,
        needs_sponsorship=needs, skill_names=names,
    )


# ------------------------------------------------------------------------------------------------
# Scoring
# ------------------------------------------------------------------------------------------------
@dataclass
class Weights:
    skills: float = 0.45
    text: float = 0.15
    experience: float = 0.15
    location: float = 0.15
    salary: float = 0.10
    required_skill_weight: float = 2.0
    knockout_years_short: float = 3.0
    knockout_location: bool = True
    knockout_sponsorship: bool = True
    apply_threshold: float = 70.0
    review_threshold: float = 50.0
    block_jobs: int = 20_000
    #: A shipped calibration (core.outcomes.calibration.Model): ``apply(components)`` gives the fit and its
    #: own thresholds replace the configured ones. None: the weighted sum above.
    calibration: Any = None

    @classmethod
    def from_settings(cls, s: ScoreSettings) -> Weights:
        return cls(skills=s.weight_skills, text=s.weight_text, experience=s.weight_experience,
                   location=s.weight_location, salary=s.weight_salary, required_skill_weight=s.required_skill_weight,
                   knockout_years_short=s.knockout_years_short, knockout_location=s.knockout_location,
                   knockout_sponsorship=s.knockout_sponsorship, apply_threshold=s.apply_threshold,
                   review_threshold=s.review_threshold, block_jobs=s.block_jobs)

    def calibrated(self, model: Any) -> Weights:
        """These weights with ``model`` (None: unchanged) scoring the pairs, and its thresholds."""
        if model is None:
            return self
        from dataclasses import replace

        return replace(self, calibration=model, apply_threshold=float(model.apply_threshold),
                       review_threshold=float(model.review_threshold))

    def normalised(self) -> np.ndarray:
        w = np.array([self.skills, self.text, self.experience, self.location, self.salary], dtype=np.float32)
        total = float(w.sum())
        return w / total if total > 0 else np.full(5, 0.2, dtype=np.float32)


def _dense(m: Any) -> np.ndarray:
    return m.toarray() if sparse.issparse(m) else np.asarray(m)


def _hits(jobs_m: sparse.csr_matrix, cands_m: sparse.csr_matrix) -> np.ndarray:
    """(candidates x jobs) counts of shared columns: sparse jobs times the candidates as a small dense block."""
    ncols = max(jobs_m.shape[1], cands_m.shape[1])
    dense_c = _resize(cands_m, ncols).toarray()  # K x S, small: S is the skill or place vocabulary
    return np.ascontiguousarray((_resize(jobs_m, ncols) @ dense_c.T).T, dtype=np.float32)


_F = np.float32
_CACHE_FLOATS = 1 << 17


#: Up to this many candidates, :func:`text_similarity` multiplies the job rows by dense query vectors.
_DENSE_QUERY_CANDIDATES = 4


def _job_rows(m: sparse.csr_matrix, js: slice | np.ndarray) -> sparse.csr_matrix:
    """Rows ``js`` of a job matrix: for a slice of consecutive rows a CSR view of the same data and
    column arrays (no copy: a block of 20k jobs' text rows would otherwise copy tens of MB), else a copy."""
    if not isinstance(js, slice) or js.step not in (None, 1):
        return m[js]
    lo, hi, _ = js.indices(m.shape[0])
    hi = max(lo, hi)
    a, b = int(m.indptr[lo]), int(m.indptr[hi])
    # The arrays are set on an empty matrix of the right shape: scipy's constructor copies a view of less
    # than half its array ("pruning"), which is exactly what a block of rows is.
    view = sparse.csr_matrix((hi - lo, m.shape[1]), dtype=m.dtype)
    view.data, view.indices, view.indptr = m.data[a:b], m.indices[a:b], m.indptr[lo:hi + 1] - a
    return view


def text_similarity(cand_text: sparse.csr_matrix, idx: JobIndex, js: slice | np.ndarray) -> np.ndarray:
    """The text component (candidates x jobs[js]): the square root of the cosine, clipped to [0, 1].

    Candidates x jobs-block straight away: the block's rows of the job matrix, seen as their transpose (a
    CSC view, no copy), against the candidates' terms; the dense result needs no transposing copy. scipy's
    sparse product and numpy release the GIL, so this can run on another thread (:func:`score_blocks`).
    For a few candidates (one candidate against every open job) the job rows instead multiply the
    candidates' dense term vectors: no transposed copy of a big job block, one pass over its entries."""
    if cand_text.shape[0] <= _DENSE_QUERY_CANDIDATES:
        query = _resize(cand_text, idx.text.shape[1]).toarray().T  # terms x candidates, small
        text = np.ascontiguousarray((_job_rows(idx.text, js) @ query).T, dtype=_F)
    else:
        text = _dense(cand_text @ _job_rows(idx.text, js).T).astype(_F, copy=False)
    np.clip(text, 0, 1, out=text)
    np.sqrt(text, out=text)
    return text


def components(c: CandidateFeatures, idx: JobIndex, js: slice | np.ndarray, w: Weights,
               ci: slice | np.ndarray = slice(None), text: np.ndarray | None = None
               ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Component matrices (candidates x jobs[js], float32 in [0, 1]) and the knock-out bitmask.

    ``text``: the block's :func:`text_similarity` when already computed (it becomes the text component)."""
    rw = _F(w.required_skill_weight)
    # skills: weighted share of the job's skills the candidate has; no listed skills -> text similarity
    cand_skills = c.skills[ci]
    skill = _hits(_job_rows(idx.weighted_skills(float(rw)), js), cand_skills)
    denom = rw * idx.required_count[js] + idx.nice_count[js]
    if text is None:
        text = text_similarity(c.text if isinstance(ci, slice) and ci == slice(None) else c.text[ci], idx, js)
    has_skills = denom > 0
    skill /= np.where(has_skills, denom, _F(1))[None, :]
    if not has_skills.all():
        np.copyto(skill, text, where=~has_skills[None, :])

    # experience and salary depend on one number per candidate that takes few distinct values (years,
    # wanted CTC): compute a small table per distinct value and gather rows, instead of K x J arithmetic.
    ymin, ymax = idx.years_min[js], idx.years_max[js]
    uyears, yinv = np.unique(c.years[ci], return_inverse=True)
    ushort = ymin[None, :] - uyears[:, None]  # U x J, NaN where either is unknown
    with np.errstate(invalid="ignore"):
        uexp = 1 - np.maximum(ushort, 0) / np.maximum(ymin, 1)[None, :]
        np.clip(uexp, 0, 1, out=uexp)
        uexp[uyears[:, None] > (ymax + 5)[None, :]] = _F(0.8)
        uknock = np.where(ushort >= w.knockout_years_short, KNOCK_YEARS, 0).astype(np.uint8)
    uexp[np.isnan(uyears), :] = _F(0.5)
    uexp[:, np.isnan(ymin)] = _F(1.0)
    exp = uexp.astype(_F, copy=False)[yinv.ravel()]

    pay = idx.salary_max_lpa[js]
    uwant, winv = np.unique(c.wants_lpa[ci], return_inverse=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        usal = np.clip(pay[None, :] / uwant[:, None], 0, 1).astype(_F, copy=False)
    usal *= usal
    usal[:, np.isnan(pay)] = _F(0.75)
    usal[np.isnan(uwant) | (uwant <= 0), :] = _F(0.75)
    sal = usal[winv.ravel()]

    # location: a shared place; remote jobs match anyone open to remote
    job_place = _job_rows(idx.place, js)
    shared = _hits(job_place, c.place[ci]) > 0
    job_has_place = np.diff(job_place.indptr) > 0
    cand_place = c.has_place[ci]
    loc = shared.astype(_F)
    np.copyto(loc, _F(0.7), where=~job_has_place[None, :])
    if not cand_place.all():
        loc[np.ix_(~cand_place, job_has_place)] = _F(0.5)
    remote = idx.remote[js]
    if remote.any():
        loc[:, remote] = np.where(c.open_to_remote[ci], _F(1.0), _F(0.4))[:, None]

    knock = uknock[yinv.ravel()]
    if w.knockout_location:
        # a strict job with a place, a candidate with a place, and no place shared
        mism = np.less(shared, (idx.strict_place[js] & job_has_place)[None, :])
        if not cand_place.all():
            mism[~cand_place, :] = False
        np.bitwise_or(knock, np.uint8(KNOCK_LOCATION), out=knock, where=mism)
    if w.knockout_sponsorship:
        knock[np.ix_(c.needs_sponsorship[ci], idx.no_sponsorship[js])] |= KNOCK_SPONSORSHIP
    return {"skills": skill, "text": text, "experience": exp, "location": loc,
            "salary": sal}, knock


def _combine(comp: dict[str, np.ndarray], wn: np.ndarray) -> np.ndarray:
    """100 x the weighted sum, computed in place (the component arrays are scratch afterwards)."""
    total = comp["skills"]
    total *= _F(100 * wn[0])
    for weight, name in zip(wn[1:], COMPONENTS[1:]):
        part = comp[name]
        part *= _F(100 * weight)
        total += part
    return total


def decide(fit: np.ndarray, knock: np.ndarray, w: Weights) -> np.ndarray:
    """0 skip, 1 review, 2 apply (index into :data:`DECISIONS`)."""
    d = (fit >= _F(w.review_threshold)).view(np.int8)
    d += (fit >= _F(w.apply_threshold)).view(np.int8)
    np.copyto(d, np.int8(0), where=knock != 0)
    return d


@dataclass
class ScoreResult:
    candidates: CandidateFeatures
    jobs: JobIndex
    weights: Weights
    fit: np.ndarray  # K x J float32, 0-100
    knock: np.ndarray  # K x J uint8 bitmask
    decision: np.ndarray  # K x J int8

    def pairs(self, decisions: Sequence[str] = ("apply", "review")) -> list[tuple[int, int]]:
        """(candidate row, job column) of every pair with one of ``decisions``, best first."""
        codes = [DECISIONS.index(d) for d in decisions]
        rows, cols = np.nonzero(np.isin(self.decision, codes))
        order = np.argsort(-self.fit[rows, cols], kind="stable")
        return list(zip(rows[order].tolist(), cols[order].tolist()))

    def breakdown(self, ci: int, ji: int) -> dict[str, Any]:
        """What the console shows for one pair: each component with its weight, the skills matched and
        missing, the knock-outs, the decision and the thresholds."""
        return self.breakdowns([(ci, ji)])[0]

    def breakdowns(self, pairs: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
        """:meth:`breakdown` of each (candidate row, job column) pair, in order. The components are computed
        in one pass through :func:`components` per candidate for all of its jobs, or per job for all of its
        candidates when the pairs name fewer jobs than candidates (one job scored against every candidate),
        not one pass per pair: a candidate with thousands of matches among 100k jobs took seconds that way."""
        per_job = len({ji for _, ji in pairs}) < len({ci for ci, _ in pairs})
        groups: dict[int, list[int]] = {}  # a candidate row (or a job column) -> the pairs that name it
        for n, (ci, ji) in enumerate(pairs):
            groups.setdefault(ji if per_job else ci, []).append(n)
        out: list[dict[str, Any]] = [{}] * len(pairs)
        for key, ns in groups.items():
            others = np.asarray([pairs[n][0 if per_job else 1] for n in ns], dtype=np.int64)
            cs, js = (others, np.array([key])) if per_job else (np.array([key]), others)
            comp, knock = components(self.candidates, self.jobs, js, self.weights, cs)
            for i, n in enumerate(ns):
                at = (i, 0) if per_job else (0, i)
                out[n] = self._breakdown(*pairs[n], {k: float(v[at]) for k, v in comp.items()}, int(knock[at]))
        return out

    def _breakdown(self, ci: int, ji: int, comp: dict[str, float], k: int) -> dict[str, Any]:
        wn = self.weights.normalised()
        idx, names = self.jobs, self.jobs.skills.names
        req = [names[j] for j in _row_indices(idx.required, ji)]
        nice = [names[j] for j in _row_indices(idx.nice, ji)]
        have = self.candidates.skill_names[ci]
        out_comp: dict[str, dict[str, Any]] = {}
        for weight, name in zip(wn, COMPONENTS):
            out_comp[name] = {"score": round(comp[name], 3), "weight": round(float(weight), 3)}
        out_comp["skills"].update({
            "matched_required": [s for s in req if s in have], "missing_required": [s for s in req if s not in have],
            "matched_nice": [s for s in nice if s in have], "missing_nice": [s for s in nice if s not in have]})
        out_comp["experience"].update({"candidate_years": _opt(self.candidates.years[ci]),
                                       "required_years": _opt(idx.years_min[ji])})
        out_comp["location"].update({"remote": bool(idx.remote[ji]),
                                     "job_places": [idx.places.names[p] for p in _row_indices(idx.place, ji)]})
        out_comp["salary"].update({"job_max_lpa": _opt(idx.salary_max_lpa[ji]),
                                   "candidate_wants_lpa": _opt(self.candidates.wants_lpa[ci])})
        out = {
            "score": round(float(self.fit[ci, ji]), 1),
            "decision": DECISIONS[int(self.decision[ci, ji])],
            "components": out_comp,
            "knockouts": [name for bit, name in KNOCKOUT_NAMES.items() if k & bit],
            "thresholds": {"apply": round(float(self.weights.apply_threshold), 2),
                           "review": round(float(self.weights.review_threshold), 2)},
        }
        cal = self.weights.calibration
        if cal is not None:
            raw = sum(float(w) * comp[name] for w, name in zip(wn, COMPONENTS))
            out["raw_score"] = round(100 * raw, 1)
            out["calibration"] = getattr(cal, "version", None)
        return out


def _row_indices(m: sparse.csr_matrix, row: int) -> list[int]:
    """The column ids of one row of a CSR matrix, read from its arrays (no row matrix built)."""
    return m.indices[m.indptr[row]:m.indptr[row + 1]].tolist()


def _opt(value: Any) -> float | None:
    v = float(value)
    return None if math.isnan(v) else round(v, 2)


#: Blocks whose text product is queued ahead of the one being scored (memory: this many blocks more).
_TEXT_AHEAD = 4

#: Candidates scored together in one block: with the jobs per block below, a block's scratch arrays
#: stay at a few MB however many candidates and jobs there are.
BLOCK_CANDIDATES = 512


@dataclass
class ScoreBlock:
    """The pairs of candidates[c0:c0+K'] x jobs[j0:j0+J'] (the arrays are K' x J')."""

    c0: int
    j0: int
    fit: np.ndarray
    knock: np.ndarray
    decision: np.ndarray


def score_blocks(candidates: CandidateFeatures, index: JobIndex, weights: Weights,
                 block_candidates: int = BLOCK_CANDIDATES, workers: int | None = None) -> Iterator[ScoreBlock]:
    """Fit, knock-outs and decisions block by block (candidates x jobs), never holding all pairs at once.

    Memory is bounded by the block (about ``_CACHE_FLOATS`` pairs), not by candidates x jobs: a caller
    that keeps only counts and the pairs it wants scores any number of candidates and jobs in flat memory.

    With ``workers`` > 1 (default: :func:`default_workers`) the text product of the next block runs on a
    helper thread while this one computes the other components (scipy's sparse product, about half the
    work, releases the GIL): at most ``_TEXT_AHEAD`` blocks' text products ahead, so memory stays bounded.
    """
    k, n = len(candidates), len(index)
    wn = weights.normalised()
    kb = max(1, min(k, int(block_candidates)))
    # Blocks small enough that the ~30 elementwise passes over a block stay in the CPU cache.
    step = max(256, min(int(weights.block_jobs), _CACHE_FLOATS // kb))
    plan = ((c0, slice(start, min(n, start + step))) for c0 in range(0, k, kb) for start in range(0, n, step))
    workers = default_workers() if workers is None else max(1, int(workers))
    index.weighted_skills(float(_F(weights.required_skill_weight)))  # cached once, before any thread

    def cands(c0: int) -> CandidateFeatures:
        return candidates.rows(slice(c0, min(k, c0 + kb)))

    def block(c0: int, js: slice, text: np.ndarray | None) -> ScoreBlock:
        comp, kn = components(cands(c0), index, js, weights, text=text)
        fit = weights.calibration.apply(comp) if weights.calibration is not None else _combine(comp, wn)
        return ScoreBlock(c0, js.start, fit, kn, decide(fit, kn, weights))

    if workers < 2 or k * n <= step * kb:  # one process and thread, or a single block
        for c0, js in plan:
            yield block(c0, js, None)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="score-text") as pool:
        # The text products of the next blocks, queued on the helper (a Future) or already computed here.
        ahead: deque[tuple[int, slice, Future[np.ndarray] | np.ndarray]] = deque()
        for c0, js in islice(plan, _TEXT_AHEAD):
            ahead.append((c0, js, pool.submit(text_similarity, cands(c0).text, index, js)))
        while ahead:
            c0, js, text = ahead.popleft()
            if isinstance(text, Future) and not text.done() and ahead:
                # The helper is still on this block's product: rather than wait, compute the last queued
                # one here if the helper has not started it (the two threads share the work evenly).
                lc0, ljs, last = ahead[-1]
                if isinstance(last, Future) and last.cancel():
                    ahead[-1] = (lc0, ljs, text_similarity(cands(lc0).text, index, ljs))
            if isinstance(text, Future):
                text = text.result()
            for nc0, njs in islice(plan, _TEXT_AHEAD - len(ahead)):
                ahead.append((nc0, njs, pool.submit(text_similarity, cands(nc0).text, index, njs)))
            yield block(c0, js, text)


def score(candidates: CandidateFeatures, index: JobIndex, weights: Weights,
          workers: int | None = None) -> ScoreResult:
    """Fit, knock-outs and decisions for every candidate x job pair, as whole matrices (built from
    :func:`score_blocks`; use that directly to keep memory flat)."""
    k, n = len(candidates), len(index)
    fit = np.empty((k, n), dtype=np.float32)
    knock = np.empty((k, n), dtype=np.uint8)
    decision = np.empty((k, n), dtype=np.int8)
    for b in score_blocks(candidates, index, weights, workers=workers):
        rows = slice(b.c0, b.c0 + b.fit.shape[0])
        cols = slice(b.j0, b.j0 + b.fit.shape[1])
        fit[rows, cols] = b.fit
        knock[rows, cols] = b.knock
        decision[rows, cols] = b.decision
    return ScoreResult(candidates, index, weights, fit, knock, decision)
