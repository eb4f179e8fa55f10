"""A deterministic corpus of long interview transcripts, for the cross-interview search benchmark and tests.

Each interview alternates interviewer questions and candidate answers built from sentence templates over a mixed
vocabulary: very common words, technologies that appear in some interviews only (Kubernetes, C++, Node.js),
accented place names, and rare made-up company and project names, so that queries range from "matches a third of
all turns" to "matches one turn in 200,000".
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from insighta_desktop.demo.interviews import ROLES

FIRST_NAMES = ["Amara", "Kwame", "Fatima", "Chidinma", "Paul", "Aisha", "Kofi", "Véronique", "José", "Zoë", "Björn",
               "Ngozi", "Tunde", "Mei", "Ravi", "Ana", "Oluwaseun", "Søren", "Lucía", "Yusuf", "Hélène", "Thabo",
               "Imani", "Kenji", "Marta", "Emeka", "Noémie", "Sipho", "Leila", "Mateus"]
LAST_NAMES = ["Diallo", "Asante", "Hassan", "Eze", "Sidibé", "Mwangi", "Mensah", "Mukendi", "Okafor", "Nkosi",
              "García", "Müller", "Østergaard", "Nakamura", "Patel", "Silva", "Adeyemi", "Kowalski", "Haddad",
              "Dubois", "Ndlovu", "Chen", "Fernández", "Balogun", "Achebe", "Kamara", "Moreau", "Traoré"]
TECH = ["Kubernetes", "Terraform", "PostgreSQL", "Kafka", "Redis", "React", "TypeScript", "C++", "Rust", "Go",
        "Node.js", "Django", "FastAPI", "Spark", "Airflow", "dbt", "Snowflake", "BigQuery", "Tableau", "Looker",
        "Figma", "Sketch", "Jira", "Salesforce", "Zendesk", "HubSpot", "Docker", "Ansible", "GraphQL", "gRPC",
        "Elasticsearch", "RabbitMQ", "Prometheus", "Grafana", "pandas", "scikit-learn", "PyTorch", "C#", ".NET",
        "Java", "Kotlin", "Swift", "SQL Server", "MongoDB", "Cassandra", "AWS Lambda", "S3", "CI/CD", "OAuth"]
DOMAINS = ["payments", "logistics", "healthcare", "e-commerce", "insurance", "telecoms", "education", "retail banking",
           "ride hailing", "agritech", "energy trading", "travel bookings", "media streaming", "public sector"]
CITIES = ["Lagos", "Nairobi", "Accra", "São Paulo", "Zürich", "Kraków", "Montréal", "Bogotá", "Reykjavík",
          "Kinshasa", "Dakar", "Berlin", "Lisbon", "Málaga", "Besançon", "Göteborg", "Cape Town", "Kigali"]
METRICS = ["p95 latency", "error rate", "churn", "conversion", "net revenue retention", "time to first value",
           "ticket backlog", "deployment frequency", "cost per order", "customer satisfaction", "test coverage"]
SYLLABLES = [["Zen", "Cal", "Mor", "Tav", "Quen", "Bri", "Lum", "Dex", "Or", "Vel", "Syl", "Kor", "Nim", "Pax",
              "Ruv", "Jal", "Wex", "Fen", "Hal", "Ix"],
             ["tri", "vo", "la", "ne", "ka", "do", "mi", "ro", "su", "te", "xa", "pi", "gu", "be", "no", "ri", "va",
              "lo", "ze", "qua"],
             ["x", "ra", "nd", "lis", "co", "tek", "via", "mo", "ron", "sys", "ly", "ta", "dex", "on", "ium", "gate",
              "ware", "hub", "base", "io"]]
QUESTIONS = [
    "Tell me about a project where you used {tech}.",
    "How did your team at {company} handle {domain} traffic peaks?",
    "What would you change about the way {company} measured {metric}?",
    "Can you walk me through a hard decision you made in {domain}?",
    "How do you decide between {tech} and {tech2} for a new service?",
    "What did you learn when you moved to {city}?",
    "How do you keep a project on track when the deadline moves?",
    "Describe a time you disagreed with your manager.",
    "How do you explain a technical trade-off to people outside the team?",
    "What is the most useful feedback you received in the last year?",
    "How would you onboard a new engineer to {project}?",
    "What went wrong during the {project} launch, and what did you do?",
    "How do you test changes to {tech} configuration before they reach production?",
    "Why are you interested in this role?",
]
OPENERS = ["Sure.", "Good question.", "Honestly,", "So,", "Right.", "Let me think.", "In short,", "Yes,", ""]
SENTENCES = [
    "At {company} I owned the {tech} migration for our {domain} platform.",
    "We cut {metric} by {n} percent in {months} months by moving the hot path to {tech}.",
    "The team was {team} people, split between {city} and remote.",
    "I wrote the runbook for {project} and trained the on-call rotation.",
    "Our biggest problem was {metric}; nobody owned it, so I proposed a weekly review.",
    "I prefer {tech} when the data model is stable, and {tech2} when we need to iterate quickly.",
    "We ran {tech} on {tech2} and kept the deployment scripts in one repository.",
    "The customer in {city} was unhappy, so I flew out and we rebuilt the plan together.",
    "I measure success by {metric} and by how often the team ships without drama.",
    "In {domain} you cannot lose a single record, so every import was validated and reconciled.",
    "I learned to write the decision down first, with the options we rejected and why.",
    "When the deadline moved we cut scope, not testing, and told stakeholders the same day.",
    "My manager wanted {tech}; I showed a small benchmark and we agreed on {tech2} instead.",
    "I mentor two junior engineers and we pair on code reviews every week.",
    "We replaced a nightly batch job with a stream on {tech}, and the dashboards became real-time.",
    "The {project} launch failed on the first day because a certificate expired; we now alert thirty days ahead.",
    "I spent {years} years in {domain} before joining {company}.",
    "I moved to {city} for the job and learned the language in my first year.",
    "The café next to our office in {city} was where most design reviews actually happened.",
    "I keep a résumé of every incident: what broke, how we noticed, and what we changed.",
    "We had a naïve retry loop that hammered the API, so I added exponential backoff with jitter.",
    "Security reviews were strict, so every {tech} change needed two approvals.",
    "I think the role fits because it mixes {domain} with the kind of {tech} work I enjoy.",
    "Feedback from a peer taught me to ask more questions before proposing a solution.",
]
SHORT_ANSWERS = ["Yes, exactly.", "Not really, no.", "That is a fair point.", "I would say about {n} percent.",
                 "Mostly {tech}.", "In {city}, yes.", "Twice, in {years} years."]


@dataclass(frozen=True)
class CorpusInterview:
    id: str
    candidate_name: str
    role: str
    scheduled_at: datetime
    session_id: str
    turns: list[tuple[int, str, str, float]]  # (sequence_no, speaker, content, Unix seconds)


class _Filler:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.companies = [self._name() for _ in range(2)]
        self.projects = [f"Project {self._name()}" for _ in range(2)]
        self.stack = rng.sample(TECH, 6)  # a candidate talks about a handful of technologies
        self.domain = rng.choice(DOMAINS)

    def _name(self) -> str:
        return "".join(self.rng.choice(part) for part in SYLLABLES)

    def fill(self, template: str) -> str:
        r = self.rng
        tech, tech2 = r.sample(self.stack, 2)
        return template.format(
            tech=tech, tech2=tech2, company=r.choice(self.companies), project=r.choice(self.projects),
            domain=self.domain if r.random() < 0.8 else r.choice(DOMAINS), city=r.choice(CITIES),
            metric=r.choice(METRICS), n=r.randint(5, 80), months=r.randint(2, 18), team=r.randint(3, 40),
            years=r.randint(2, 12))


def corpus_interviews(count: int, turns_per_interview: int = 200, seed: int = 7) -> Iterator[CorpusInterview]:
    """`count` interviews of `turns_per_interview` turns each, the same for the same seed."""
    rng = random.Random(seed)
    base = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    roles = list(ROLES)
    for index in range(count):
        filler = _Filler(rng)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        scheduled = base + timedelta(hours=index * 7 + rng.randint(0, 5))
        clock = (scheduled + timedelta(minutes=2)).timestamp()
        turns = []
        for seq in range(1, turns_per_interview + 1):
            if seq % 2:
                speaker, content = "ai", filler.fill(rng.choice(QUESTIONS))
            else:
                speaker, content = "candidate", _answer(rng, filler)
            turns.append((seq, speaker, content, round(clock, 1)))
            clock += rng.randint(4, 40)
        yield CorpusInterview(str(uuid.UUID(int=rng.getrandbits(128), version=4)), name, roles[index % len(roles)],
                              scheduled, str(uuid.UUID(int=rng.getrandbits(128), version=4)), turns)


def _answer(rng: random.Random, filler: _Filler) -> str:
    if rng.random() < 0.15:
        return filler.fill(rng.choice(SHORT_ANSWERS))
    opener = rng.choice(OPENERS)
    sentences = [filler.fill(s) for s in rng.sample(SENTENCES, rng.randint(1, 4))]
    return " ".join(([opener] if opener else []) + sentences)
