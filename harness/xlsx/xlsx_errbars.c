/*
 * xlsx_errbars.c - custom error bars for the workbook's median charts.
 *
 * A confidence interval needs error bars whose lengths come from cells,
 * one per point ("custom" error bars in Excel and LibreOffice).
 * libxlsxwriter 1.1.4 (Debian 12) writes only fixed, percentage and
 * standard-deviation ones, so xlsx_chart.c gives each series a fixed-value
 * placeholder whose value is the series' marker, and this file rewrites
 * each written chart part (xlsx_package.c hands them over): every
 * <c:errBars> element whose value is a known marker becomes a custom one
 * pointing at the tables of the charts sheet (with their values cached, as
 * libxlsxwriter caches the series' own values); any other placeholder is
 * dropped, never left to show a made-up length.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xlsx_chart.h"

struct text {
	char *buf;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	xgrow((void **)&t->buf, &t->cap, t->len + n + 1, 1);
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void put_str(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* <c:plus> or <c:minus>: the range and its cached values. */
static void side(struct text *t, const char *tag, const char *ref,
		 const double *v, size_t n)
{
	char *head = xasprintf("<c:%s><c:numRef><c:f>%s</c:f><c:numCache>"
			       "<c:formatCode>General</c:formatCode>"
			       "<c:ptCount val=\"%zu\"/>",
			       tag, ref, n);
	char pt[96];
	size_t i;

	put_str(t, head);
	free(head);
	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		snprintf(pt, sizeof(pt),
			 "<c:pt idx=\"%zu\"><c:v>%.17g</c:v></c:pt>", i, v[i]);
		put_str(t, pt);
	}
	snprintf(pt, sizeof(pt), "</c:numCache></c:numRef></c:%s>", tag);
	put_str(t, pt);
}

/* The placeholder's marker: the value of its <c:val val="K"/>; 0 if none. */
static size_t marker_of(const char *el, size_t len)
{
	const char *key = "<c:val val=\"", *p;
	char *copy = xstrndup(el, len), *end;
	unsigned long k = 0;

	p = strstr(copy, key);
	if (p) {
		k = strtoul(p + strlen(key), &end, 10);
		if (*end != '"')
			k = 0;
	}
	free(copy);
	return k;
}

/* A chart part with every placeholder replaced (or dropped). */
static void patch_chart(const char *xml, size_t len,
			const struct xlsx_errbars *eb, struct text *out)
{
	static const char open_tag[] = "<c:errBars>",
			  close_tag[] = "</c:errBars>";
	const char *p = xml, *end = xml + len;

	while (p < end) {
		const char *a = memmem(p, (size_t)(end - p), open_tag,
				       sizeof(open_tag) - 1),
			   *b;
		size_t k;

		if (!a || !(b = memmem(a, (size_t)(end - a), close_tag,
				       sizeof(close_tag) - 1))) {
			put(out, p, (size_t)(end - p));
			return;
		}
		put(out, p, (size_t)(a - p));
		b += sizeof(close_tag) - 1;
		k = marker_of(a, (size_t)(b - a));
		if (k >= 1 && k <= eb->n) {
			const struct xlsx_errbar *e = &eb->bars[k - 1];

			put_str(out, "<c:errBars><c:errDir val=\"y\"/>"
				     "<c:errBarType val=\"both\"/>"
				     "<c:errValType val=\"cust\"/>"
				     "<c:noEndCap val=\"0\"/>");
			side(out, "plus", e->plus, e->plus_v, e->n);
			side(out, "minus", e->minus, e->minus_v, e->n);
			put(out, close_tag, sizeof(close_tag) - 1);
		}
		p = b;
	}
}

void xlsx_errbars_patch(const char *xml, size_t len,
			const struct xlsx_errbars *eb, char **ret_buf,
			size_t *ret_len)
{
	struct text t = { 0 };

	put(&t, "", 0);
	patch_chart(xml, len, eb, &t);
	*ret_buf = t.buf;
	*ret_len = t.len;
}
