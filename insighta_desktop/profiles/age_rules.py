"""The parser's age rules: ranges, comparisons, open ranges ("30 and over"), decades, exact ages and age words."""
from __future__ import annotations

from insighta_desktop.profiles import vocabulary as v
from insighta_desktop.profiles.scan_base import ScannerBase


class AgeRules(ScannerBase):
    """Each rule returns how many tokens it consumed (0 = no match)."""

    def age_range(self, i: int) -> int:
        j = i + (1 if i < len(self.toks) and self.toks[i].norm in v.AGE_PREFIXES else 0)
        between = self.words_at(j, ("between",))
        if between:
            j += 1
            j += self.words_at(j, ("the",))
            j += 1 if j < len(self.toks) and self.toks[j].norm in v.AGE_PREFIXES else 0
            j += self.words_at(j, ("of",))
        else:
            j += self.words_at(j, ("from",))
        low = self.num_at(j)
        if low is None:
            return 0
        k = self.skip_age_suffix(j + 1) if between else j + 1
        joiners = v.RANGE_JOINERS | ({"and"} if between else set())
        if k >= len(self.toks) or self.toks[k].norm not in joiners:
            return 0
        high = self.num_at(k + 1)
        if high is None:
            return 0
        end = self.skip_age_suffix(k + 2)
        a, b = sorted((self.age_value(low), self.age_value(high)))
        self.facts.min_ages.append(a)
        self.facts.max_ages.append(b)
        return self.note(i, end, f"age {a}–{b}", "age")

    def age_compare(self, i: int) -> int:
        j = i + (1 if self.toks[i].norm in v.AGE_PREFIXES else 0)
        j, direction = self._comparator(j)
        if direction is None:
            return 0
        j += self.any_at(j, v.AGE_AFTER_COMPARATOR)[0]
        tok = self.num_at(j)
        if tok is None:
            return 0
        age = self.age_value(tok)
        end = self.skip_age_suffix(j + 1)
        if direction == "min":
            self.facts.min_ages.append(age)
            return self.note(i, end, f"age ≥ {age}", "age")
        self.facts.max_ages.append(age)
        return self.note(i, end, f"age ≤ {age}", "age")

    def age_open(self, i: int) -> int:
        j = i + (1 if self.toks[i].norm in v.AGE_PREFIXES else 0)
        tok = self.num_at(j)
        if tok is None:
            return 0
        k = self.skip_age_suffix(j + 1)
        up, _ = self.any_at(k, v.OPEN_UP)
        down, _ = self.any_at(k, v.OPEN_DOWN)
        if not up and not down:
            return 0
        age = self.age_value(tok)
        if up:
            self.facts.min_ages.append(age)
            return self.note(i, k + up, f"age ≥ {age}", "age")
        self.facts.max_ages.append(age)
        return self.note(i, k + down, f"age ≤ {age}", "age")

    def decade(self, i: int) -> int:
        j = i + self.any_at(i, v.DECADE_PREFIXES)[0]
        part = self.toks[j].norm if j < len(self.toks) else ""
        offsets = v.DECADE_PARTS.get(part, (0, 9))
        j += 1 if part in v.DECADE_PARTS else 0
        if j >= len(self.toks) or self.toks[j].kind != "decade":
            return 0
        base = int(self.toks[j].value or 0)
        low, high = base + offsets[0], base + offsets[1]
        self.facts.min_ages.append(low)
        self.facts.max_ages.append(high)
        return self.note(i, j + 1, f"age {low}–{high}", "age")

    def age_exact(self, i: int) -> int:
        prefixed = self.toks[i].norm in ("aged", "age")
        j = i + (1 if prefixed else 0)
        tok = self.num_at(j)
        if tok is None:
            return 0
        end = self.skip_age_suffix(j + 1)
        if not prefixed and end == j + 1:
            return 0
        age = self.age_value(tok)
        self.facts.min_ages.append(age)
        self.facts.max_ages.append(age)
        return self.note(i, end, f"age {age}", "age")

    def age_words(self, i: int) -> int:
        n, _ = self.any_at(i, v.YOUNG_PHRASES)
        if n:
            low, high = v.YOUNG_RANGE
            self.facts.min_ages.append(low)
            self.facts.max_ages.append(high)
            return self.note(i, i + n, f"age {low}–{high} (young)", "age")
        n, phrase = self.any_at(i, v.GROUP_PHRASES)
        if n:
            group = v.GROUP_PHRASES[tuple(phrase)]
        elif self.toks[i].norm == "old" and i + 1 < len(self.toks) and self.toks[i + 1].norm in v.OLD_BEFORE:
            n, group = 1, "senior"
        else:
            return 0
        self.facts.groups.append(group)
        return self.note(i, i + n, f"age group: {group}", "age_group")
