/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * convert.c - v1 <-> v2 value conversions and runc's size strings.  See convert.h.
 * libm is not linked into strata, so the logarithm and the power of ten are
 * computed here with series that are exact for powers of two.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

#define LN2 0.69314718055994530942
#define LOG2_10 3.32192809488736234787

/* log2(x) for x > 0: exact for powers of two. */
static double log2_series(double x)
{
	int k = 0;
	while (x >= 2.0) {
		x /= 2.0;
		k++;
	}
	while (x < 1.0) {
		x *= 2.0;
		k--;
	}
	/* ln(x) = 2 atanh((x-1)/(x+1)), x in [1, 2). */
	double y = (x - 1.0) / (x + 1.0), y2 = y * y, term = y, sum = 0.0;
	for (int i = 1; i < 80; i += 2) {
		sum += term / i;
		term *= y2;
	}
	return k + 2.0 * sum / LN2;
}

/* 10^e for e >= 0. */
static double exp10_series(double e)
{
	double t = e * LOG2_10;
	int n = (int)t;
	double f = (t - n) * LN2, term = 1.0, sum = 1.0;
	for (int i = 1; i < 40; i++) {
		term *= f / i;
		sum += term;
	}
	while (n-- > 0)
		sum *= 2.0;
	return sum;
}

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	double l = log2_series((double)shares);
	double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;
	if (exponent < 0)
		exponent = 0;
	/* The tolerance absorbs rounding so an exact power of ten (1024 -> 100)
	 * does not round up to the next integer. */
	double w = exp10_series(exponent) - 1e-9;
	uint64_t iw = (uint64_t)w;
	if ((double)iw < w)
		iw++;
	if (iw < 1)
		iw = 1;
	if (iw > 10000)
		iw = 10000;
	return iw;
}

uint64_t cgroup_blkio_weight_to_io_weight(uint64_t w)
{
	if (w == 0)
		return 0;
	if (w < 10)
		w = 10;
	if (w > 1000)
		w = 1000;
	return 1 + (w - 10) * 9999 / 990;
}

int cgroup_swap_to_v2(int64_t swap, int64_t memory, int64_t *out, strata_error_t *err)
{
	if (memory == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (memory == 0 || memory == -1)
		return strata_error_set(err, EINVAL, "memory.swap: cannot set a swap limit without a memory limit");
	if (memory < 0)
		return strata_error_set(err, EINVAL, "memory.limit: invalid value %lld", (long long)memory);
	if (swap < memory)
		return strata_error_set(err, EINVAL,
					"memory.swap (%lld) is memory+swap and must be >= memory.limit (%lld)",
					(long long)swap, (long long)memory);
	*out = swap - memory;
	return 0;
}

int cgroup_parse_size(const char *s, int64_t *out, strata_error_t *err)
{
	if (s == NULL || *s == '\0')
		return strata_error_set(err, EINVAL, "invalid size ``");
	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	const char *p = s;
	uint64_t ip = 0;
	bool digits = false;
	while (isdigit((unsigned char)*p)) {
		if (ip > (UINT64_MAX - 9) / 10)
			return strata_error_set(err, ERANGE, "invalid size `%s`: too large", s);
		ip = ip * 10 + (uint64_t)(*p - '0');
		p++;
		digits = true;
	}
	/* Fraction kept as numerator/denominator to stay exact. */
	uint64_t frac = 0, den = 1;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (den < 1000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				den *= 10;
			}
			p++;
			digits = true;
		}
	}
	if (!digits)
		return strata_error_set(err, EINVAL, "invalid size `%s`", s);
	while (*p == ' ')
		p++;
	uint64_t mult = 1;
	switch (tolower((unsigned char)*p)) {
	case '\0': break;
	case 'b': mult = 1; p++; break;
	case 'k': mult = 1ULL << 10; p++; break;
	case 'm': mult = 1ULL << 20; p++; break;
	case 'g': mult = 1ULL << 30; p++; break;
	case 't': mult = 1ULL << 40; p++; break;
	case 'p': mult = 1ULL << 50; p++; break;
	default: return strata_error_set(err, EINVAL, "invalid size `%s`: unknown unit", s);
	}
	if (mult > 1) {
		if (tolower((unsigned char)p[0]) == 'i' && tolower((unsigned char)p[1]) == 'b')
			p += 2;
		else if (tolower((unsigned char)p[0]) == 'b')
			p++;
	}
	if (*p != '\0')
		return strata_error_set(err, EINVAL, "invalid size `%s`: unknown unit", s);
	if (ip != 0 && mult > (uint64_t)INT64_MAX / ip)
		return strata_error_set(err, ERANGE, "invalid size `%s`: too large", s);
	uint64_t v = ip * mult + frac * mult / den;
	if (v > (uint64_t)INT64_MAX)
		return strata_error_set(err, ERANGE, "invalid size `%s`: too large", s);
	*out = (int64_t)v;
	return 0;
}
