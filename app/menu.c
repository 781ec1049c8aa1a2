/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * menu.c - the boot menu on the firmware console (ConOut/ConIn), so on a
 * screen and, through the firmware's terminal driver, on a serial port
 * with ANSI escape sequences alike. Keys as systemd-boot has them
 * (src/boot/boot.c, menu_run): Up/Down (also k/j), Home/End, PgUp/PgDn,
 * Enter, 1-9 the Nth entry, e the editor, d the default, t/T the timeout;
 * any key stops the countdown. Every selected line also carries "=>", so
 * the choice reads on a serial log as on a screen.
 */
#include "stage.h"

#include "../lib/cmdline.h"

#define SCAN_UP_ 0x01
#define SCAN_DOWN_ 0x02
#define SCAN_RIGHT_ 0x03
#define SCAN_LEFT_ 0x04
#define SCAN_HOME_ 0x05
#define SCAN_END_ 0x06
#define SCAN_DELETE_ 0x08
#define SCAN_PGUP_ 0x09
#define SCAN_PGDN_ 0x0a
#define SCAN_ESC_ 0x17

static SIMPLE_TEXT_OUTPUT_INTERFACE *con;
static SIMPLE_INPUT_INTERFACE *in;
static EFI_BOOT_SERVICES *bs;
static UINTN cols = 80, rows = 25;

/* Writes UTF-8 text at the cursor, cut to `width` characters (0: all). */
static void put(const char *s, size_t width)
{
	CHAR16 w[256];
	size_t n = utf8_to_ucs2(s, (uint16_t *)w, RT_ARRAY_SIZE(w));

	if (n >= RT_ARRAY_SIZE(w))
		n = RT_ARRAY_SIZE(w) - 1;
	if (width && n > width)
		n = width;
	w[n] = 0;
	con->OutputString(con, w);
}

/* Writes a whole row: text, then blanks to the last column but one (the
 * last would scroll some consoles). */
static void row(UINTN y, const char *text, UINTN attr)
{
	CHAR16 blank[2] = { ' ', 0 };
	size_t n;

	if (y >= rows)
		return;
	con->SetAttribute(con, attr);
	con->SetCursorPosition(con, 0, y);
	put(text, cols - 1);
	n = utf8_to_ucs2(text, NULL, 0);
	for (; n < cols - 1; n++)
		con->OutputString(con, blank);
	con->SetAttribute(con, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
}

static void rowf(UINTN y, UINTN attr, const char *fmt, ...) RT_PRINTF(3, 4);
static void rowf(UINTN y, UINTN attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	row(y, buf, attr);
}

/* Rows: 0 header, 2.. entries, then the countdown, keys and notes. */
#define TOP 2
static size_t first; /* the first entry shown (scrolling) */

static UINTN list_rows(const struct menu *m)
{
	UINTN below = 4 + m->nnotes; /* blank, countdown, keys, blank, notes */
	UINTN r = rows > TOP + below + 1 ? rows - TOP - below : 1;
	return r;
}

static void draw_status(const struct menu *m, bool counting, uint32_t left)
{
	UINTN y = TOP + list_rows(m) + 1;

	if (!m->can_boot)
		row(y, "Nothing configured can be booted (the notes below say why).", EFI_YELLOW | EFI_BACKGROUND_BLACK);
	else if (counting)
		rowf(y, EFI_WHITE | EFI_BACKGROUND_BLACK, "Boot in %u s.", left);
	else
		row(y, "", EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
}

static void entry_line(const struct menu *m, size_t i, char *out, size_t size)
{
	const struct bls_entry *e = m->e[i];
	const char *mark = i == m->sel ? "=>" : "  ";
	char num[4] = "  ";

	if (i < 9)
		rt_snprintf(num, sizeof(num), "%u", (unsigned)(i + 1));
	if (e->broken)
		rt_snprintf(out, size, "%s %-2s %s [broken: %s]", mark, num, e->title, e->why);
	else if (e->tries_left == 0)
		rt_snprintf(out, size, "%s %-2s %s [no tries left]%s", mark, num, e->title,
			    i == m->def ? " [default]" : "");
	else
		rt_snprintf(out, size, "%s %-2s %s%s", mark, num, e->title, i == m->def ? " [default]" : "");
}

static void draw(const struct menu *m, bool counting, uint32_t left)
{
	UINTN lr = list_rows(m), y;
	char line[512];

	if (m->sel < first)
		first = m->sel;
	if (m->sel >= first + lr)
		first = m->sel - lr + 1;
	con->SetAttribute(con, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
	con->ClearScreen(con);
	row(0, m->header, EFI_WHITE | EFI_BACKGROUND_BLACK);
	for (y = 0; y < lr && first + y < m->n; y++) {
		size_t i = first + y;
		entry_line(m, i, line, sizeof(line));
		row(TOP + y, line, i == m->sel ? (EFI_BLACK | EFI_BACKGROUND_LIGHTGRAY)
					      : m->e[i]->broken ? (EFI_DARKGRAY | EFI_BACKGROUND_BLACK)
								 : (EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK));
	}
	y = TOP + lr + 1;
	draw_status(m, counting, left);
	bls_timeout_text(m->timeout, m->seconds, line, sizeof(line));
	/* 79 columns at most: the last column of a console scrolls some */
	rowf(y + 1, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK, "Enter: boot  1-9: that entry  %sd: default  t/T: timeout (%s%s)",
	     m->editor ? "e: edit  " : "", line, m->timeout == BLS_TIMEOUT_SECONDS ? " s" : "");
	for (unsigned k = 0; k < m->nnotes; k++)
		row(y + 3 + k, m->note[k], EFI_YELLOW | EFI_BACKGROUND_BLACK);
	con->SetCursorPosition(con, 0, TOP + (m->sel - first));
}

/* Reads one key; false when none is waiting. */
static bool key(EFI_INPUT_KEY *k)
{
	return in->ReadKeyStroke(in, k) == EFI_SUCCESS;
}

void menu_wait_key(EFI_SYSTEM_TABLE *st)
{
	EFI_INPUT_KEY k;
	UINTN idx;

	con = st->ConOut, in = st->ConIn, bs = st->BootServices; /* maybe before any menu_run */
	st->ConOut->OutputString(st->ConOut, (CHAR16 *)u"Press a key to return to the menu.\r\n");
	while (!key(&k))
		st->BootServices->WaitForEvent(1, &st->ConIn->WaitForKey, &idx);
}

/* The line editor on the row above the keys: true with the text on Enter,
 * false on Esc. */
static bool edit(const struct menu *m, char *text, size_t size)
{
	static CHAR16 w[BLS_OPTIONS_MAX];
	size_t len = utf8_to_ucs2(text, (uint16_t *)w, RT_ARRAY_SIZE(w)), cur, start = 0;
	UINTN y = TOP + list_rows(m), width = cols > 4 ? cols - 4 : 1;
	EFI_INPUT_KEY k;
	UINTN idx;

	if (len >= RT_ARRAY_SIZE(w))
		len = RT_ARRAY_SIZE(w) - 1;
	cur = len;
	con->EnableCursor(con, TRUE);
	for (;;) {
		CHAR16 save, prompt[3] = { '>', ' ', 0 };
		if (cur < start)
			start = cur;
		if (cur > start + width)
			start = cur - width;
		con->SetCursorPosition(con, 0, y);
		con->OutputString(con, prompt);
		save = w[len];
		w[len] = 0;
		{
			CHAR16 slice[256];
			size_t n = 0;
			for (; n < width && start + n < len && n < RT_ARRAY_SIZE(slice) - 1; n++)
				slice[n] = w[start + n];
			for (; n < width && n < RT_ARRAY_SIZE(slice) - 1; n++)
				slice[n] = ' ';
			slice[n] = 0;
			con->OutputString(con, slice);
		}
		w[len] = save;
		con->SetCursorPosition(con, 2 + (cur - start), y);
		while (!key(&k))
			bs->WaitForEvent(1, &in->WaitForKey, &idx);
		if (k.ScanCode == SCAN_ESC_ || k.UnicodeChar == 3 /* Ctrl-C */) {
			con->EnableCursor(con, FALSE);
			return false;
		}
		if (k.UnicodeChar == '\r' || k.UnicodeChar == '\n') {
			w[len] = 0;
			ucs2_to_utf8((const uint16_t *)w, len, text, size);
			con->EnableCursor(con, FALSE);
			return true;
		}
		if (k.ScanCode == SCAN_LEFT_ && cur)
			cur--;
		else if (k.ScanCode == SCAN_RIGHT_ && cur < len)
			cur++;
		else if (k.ScanCode == SCAN_HOME_ || k.UnicodeChar == 1 /* Ctrl-A */)
			cur = 0;
		else if (k.ScanCode == SCAN_END_ || k.UnicodeChar == 5 /* Ctrl-E */)
			cur = len;
		else if ((k.UnicodeChar == 8 || k.UnicodeChar == 0x7f) && cur) {
			for (size_t i = cur - 1; i + 1 < len; i++)
				w[i] = w[i + 1];
			len--, cur--;
		} else if (k.ScanCode == SCAN_DELETE_ && cur < len) {
			for (size_t i = cur; i + 1 < len; i++)
				w[i] = w[i + 1];
			len--;
		} else if (k.UnicodeChar == 11 /* Ctrl-K */) {
			len = cur;
		} else if (k.UnicodeChar >= 0x20 && k.UnicodeChar != 0x7f && len + 1 < RT_ARRAY_SIZE(w) &&
			   len + 1 < size / 3) {
			for (size_t i = len; i > cur; i--)
				w[i] = w[i - 1];
			w[cur++] = k.UnicodeChar;
			len++;
		}
	}
}

/* t/T as systemd-boot cycles them: menu-force (no countdown) and 1, 2, ...
 * seconds; T from 1 s goes to menu-hidden, from there to menu-force. */
static void change_timeout(struct menu *m, bool up)
{
	if (up) {
		if (m->timeout != BLS_TIMEOUT_SECONDS || !m->seconds)
			m->timeout = BLS_TIMEOUT_SECONDS, m->seconds = 1;
		else if (m->seconds < 0xffffffffu)
			m->seconds++;
	} else {
		if (m->timeout == BLS_TIMEOUT_SECONDS && m->seconds > 1)
			m->seconds--;
		else if (m->timeout == BLS_TIMEOUT_SECONDS && m->seconds == 1)
			m->timeout = BLS_TIMEOUT_HIDDEN, m->seconds = 0;
		else
			m->timeout = BLS_TIMEOUT_FORCE, m->seconds = 0;
	}
	m->timeout_changed = true;
}

static bool bootable_at(const struct menu *m, size_t i, const char **why)
{
	const struct bls_entry *e = m->e[i];
	if (e->broken) {
		*why = e->why;
		return false;
	}
	return true;
}

void menu_run(EFI_SYSTEM_TABLE *st, struct menu *m)
{
	bool counting = m->can_boot && m->timeout == BLS_TIMEOUT_SECONDS && m->seconds > 0;
	uint32_t left = m->seconds;
	EFI_EVENT timer = NULL;
	static char note[BLS_WHY_MAX + 64];
	unsigned base_notes = m->nnotes;

	con = st->ConOut;
	in = st->ConIn;
	bs = st->BootServices;
	if (con->QueryMode(con, con->Mode->Mode, &cols, &rows) != EFI_SUCCESS || cols < 20 || rows < 8)
		cols = 80, rows = 25;
	con->EnableCursor(con, FALSE);
	if (counting && (bs->CreateEvent(EVT_TIMER, 0, NULL, NULL, &timer) != EFI_SUCCESS ||
			 bs->SetTimer(timer, TimerPeriodic, 10000000) != EFI_SUCCESS))
		counting = false; /* no timer: no countdown, the menu waits */
	first = 0;
	draw(m, counting, left);
	for (;;) {
		EFI_EVENT ev[2] = { in->WaitForKey, timer };
		EFI_INPUT_KEY k;
		UINTN idx = 0;
		const char *why;

		bs->WaitForEvent(counting ? 2 : 1, ev, &idx);
		if (counting && idx == 1) {
			if (--left == 0)
				break;
			draw_status(m, counting, left);
			continue;
		}
		if (!key(&k))
			continue;
		if (counting) {
			counting = false;
			bs->CloseEvent(timer);
			draw_status(m, counting, left);
		}
		if (m->nnotes > base_notes) /* a note about the last key goes */
			m->nnotes = base_notes;
		if (k.ScanCode == SCAN_UP_ || k.UnicodeChar == 'k') {
			if (m->sel)
				m->sel--;
		} else if (k.ScanCode == SCAN_DOWN_ || k.UnicodeChar == 'j') {
			if (m->sel + 1 < m->n)
				m->sel++;
		} else if (k.ScanCode == SCAN_HOME_) {
			m->sel = 0;
		} else if (k.ScanCode == SCAN_END_) {
			m->sel = m->n ? m->n - 1 : 0;
		} else if (k.ScanCode == SCAN_PGUP_) {
			m->sel = m->sel > list_rows(m) ? m->sel - list_rows(m) : 0;
		} else if (k.ScanCode == SCAN_PGDN_) {
			m->sel = m->sel + list_rows(m) < m->n ? m->sel + list_rows(m) : (m->n ? m->n - 1 : 0);
		} else if (k.UnicodeChar >= '1' && k.UnicodeChar <= '9' && (size_t)(k.UnicodeChar - '1') < m->n) {
			m->sel = k.UnicodeChar - '1';
			if (bootable_at(m, m->sel, &why))
				break;
			rt_snprintf(note, sizeof(note), "Entry %u cannot be booted: %s", (unsigned)m->sel + 1, why);
			m->note[m->nnotes++] = note;
		} else if ((k.UnicodeChar == '\r' || k.UnicodeChar == '\n' || k.ScanCode == SCAN_RIGHT_) && m->n) {
			if (bootable_at(m, m->sel, &why))
				break;
			rt_snprintf(note, sizeof(note), "This entry cannot be booted: %s", why);
			m->note[m->nnotes++] = note;
		} else if (k.UnicodeChar == 'e' && m->n) {
			const struct bls_entry *e = m->e[m->sel];
			if (!m->editor) {
				rt_snprintf(note, sizeof(note), "The editor is off (loader.conf, or Secure Boot).");
				m->note[m->nnotes++] = note;
			} else if (e->kind == BLS_AUTO_FIRMWARE || e->broken) {
				rt_snprintf(note, sizeof(note), "This entry has no command line to edit.");
				m->note[m->nnotes++] = note;
			} else {
				rt_snprintf(m->options, sizeof(m->options), "%s", e->options);
				if (edit(m, m->options, sizeof(m->options))) {
					m->edited = true;
					break;
				}
			}
		} else if (k.UnicodeChar == 'd' && m->n) {
			m->def = m->def == m->sel ? (size_t)-1 : m->sel;
			m->default_changed = true;
		} else if (k.UnicodeChar == 't' || k.UnicodeChar == '+') {
			change_timeout(m, true);
		} else if (k.UnicodeChar == 'T' || k.UnicodeChar == '-') {
			change_timeout(m, false);
		}
		draw(m, counting, left);
	}
	if (counting)
		bs->CloseEvent(timer);
	con->SetAttribute(con, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
	con->ClearScreen(con);
	con->EnableCursor(con, TRUE);
}
