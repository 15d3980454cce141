//! CSV records straight from the bytes of a file, and the split of a large file into
//! pieces of whole records that are read in parallel.
//!
//! The grammar is the csv crate's (RFC 4180 as spreadsheets write it, read flexibly): a
//! field that starts with `"` is quoted and may hold separators and line breaks, `""`
//! inside it is one quote, and text after its closing quote up to the next separator is
//! kept; a quote anywhere else is an ordinary character. `\r`, `\n` and `\r\n` all end a
//! record, and empty lines hold no record. Unquoted fields are slices of the input (no
//! copy); quoted ones are unescaped into one buffer reused from record to record.
//! The tests check records, fields and line numbers against the csv crate on random files.

use std::ops::Range;

use rayon::prelude::*;

/// One field of the current record: where its text is.
#[derive(Debug, Clone, Copy)]
enum Span {
    /// `input[start..end]`.
    Input(u32, u32),
    /// `unquoted[start..end]`.
    Unquoted(u32, u32),
}

/// Reads the records of `input` one at a time (see the module docs).
#[derive(Debug)]
pub struct Scanner<'a> {
    input: &'a [u8],
    /// `input` as text when it is all UTF-8 (checked once, not field by field).
    text: Option<&'a str>,
    separator: u8,
    pos: usize,
    /// Line of `input[pos]`, 1-based.
    line: u64,
    spans: Vec<Span>,
    unquoted: Vec<u8>,
    /// True once a quoted field ran to the end of `input` without its closing quote.
    open_quote_at_end: bool,
}

impl<'a> Scanner<'a> {
    /// A scanner of `input` (less than 4 GiB), whose first byte is on line `first_line`.
    pub fn new(input: &'a [u8], separator: u8, first_line: u64) -> Scanner<'a> {
        Scanner {
            input,
            text: std::str::from_utf8(input).ok(),
            separator,
            pos: 0,
            line: first_line,
            spans: Vec::with_capacity(16),
            unquoted: Vec::new(),
            open_quote_at_end: false,
        }
    }

    /// Reads the next record; returns the line it starts on, or `None` at the end.
    pub fn next_record(&mut self) -> Option<u64> {
        let b = self.input;
        let n = b.len();
        let mut i = self.pos;
        while i < n && matches!(b[i], b'\n' | b'\r') {
            self.line += u64::from(b[i] == b'\n');
            i += 1;
        }
        if i >= n {
            self.pos = n;
            return None;
        }
        let line = self.line;
        self.spans.clear();
        self.unquoted.clear();
        loop {
            if i < n && b[i] == b'"' {
                i = self.quoted_field(i + 1);
            } else {
                let end = self.field_end(i);
                self.spans.push(Span::Input(i as u32, end as u32));
                i = end;
            }
            if i < n && b[i] == self.separator {
                i += 1;
            } else {
                break;
            }
        }
        // The terminator: `\r\n` is one.
        if i < n {
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            self.line += u64::from(b[i] == b'\n');
            i += 1;
        }
        self.pos = i;
        Some(line)
    }

    /// The first separator or line break at or after `i` (or the end): eight bytes at a
    /// time while eight remain (fields are short: a vector search costs more to start).
    #[inline]
    fn field_end(&self, mut i: usize) -> usize {
        let (b, sep) = (self.input, self.separator);
        while let Some(word) = b.get(i..i + 8) {
            let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            let found = has_byte(word, sep) | has_byte(word, b'\n') | has_byte(word, b'\r');
            if found != 0 {
                return i + (found.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while i < b.len() {
            let c = b[i];
            if c == sep || c == b'\n' || c == b'\r' {
                break;
            }
            i += 1;
        }
        i
    }

    /// Reads a quoted field whose text starts at `i` (after the opening quote) into
    /// `unquoted`; returns the position after it.
    fn quoted_field(&mut self, mut i: usize) -> usize {
        let b = self.input;
        let start = self.unquoted.len();
        loop {
            let Some(k) = memchr::memchr(b'"', &b[i..]) else {
                self.push_quoted(&b[i..]);
                self.open_quote_at_end = true;
                i = b.len();
                break;
            };
            self.push_quoted(&b[i..i + k]);
            i += k + 1;
            if b.get(i) == Some(&b'"') {
                self.unquoted.push(b'"');
                i += 1;
            } else {
                // Text after the closing quote belongs to the field.
                let end = self.field_end(i);
                self.unquoted.extend_from_slice(&b[i..end]);
                i = end;
                break;
            }
        }
        self.spans
            .push(Span::Unquoted(start as u32, self.unquoted.len() as u32));
        i
    }

    fn push_quoted(&mut self, text: &[u8]) {
        self.line += memchr::memchr_iter(b'\n', text).count() as u64;
        self.unquoted.extend_from_slice(text);
    }

    /// The input not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        &self.input[self.pos..]
    }

    /// Number of fields of the current record.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Field `k` of the current record (`k < len()`), unescaped, not trimmed.
    #[inline]
    pub fn field(&self, k: usize) -> &[u8] {
        match self.spans[k] {
            Span::Input(s, e) => &self.input[s as usize..e as usize],
            Span::Unquoted(s, e) => &self.unquoted[s as usize..e as usize],
        }
    }

    /// Field `k` of the current record as text, `None` when it is not UTF-8.
    #[inline]
    pub fn field_str(&self, k: usize) -> Option<&str> {
        match (self.spans[k], self.text) {
            // Fields start and end at ASCII bytes (or the ends): char boundaries.
            (Span::Input(s, e), Some(text)) => text.get(s as usize..e as usize),
            _ => std::str::from_utf8(self.field(k)).ok(),
        }
    }

    /// The fields of the current record.
    #[cfg(test)]
    pub fn fields(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).map(|k| self.field(k))
    }

    /// True when the input ended inside a quoted field: a piece cut there did not end
    /// between records.
    pub fn ended_in_quotes(&self) -> bool {
        self.open_quote_at_end
    }
}

/// `read` given a scanner of a private copy of `piece` of `body` (a file's bytes may be
/// mapped and change while read: see [`crate::input::table::FileBytes`]). The copy is
/// freed after the piece (the allocator reuses it for the next one).
pub(crate) fn scan_copy<T>(
    body: &[u8],
    piece: &Piece,
    separator: u8,
    read: impl FnOnce(Scanner<'_>) -> T,
) -> T {
    let copy = body[piece.bytes.clone()].to_vec();
    read(Scanner::new(&copy, separator, piece.first_line))
}

/// The high bit of each byte of `word` (little-endian) that may equal `byte`: exact for
/// the lowest such byte (borrows only run upward, so later bytes may show false matches
/// above a true one, and none is shown below it).
#[inline]
fn has_byte(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

/// Bodies below this size are read on one thread.
pub const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// A piece of a body: its byte range and the line of its first byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Byte range in the body.
    pub bytes: Range<usize>,
    /// Line of its first byte.
    pub first_line: u64,
    /// At least the number of records that start in it: its record terminators (`\n`,
    /// and `\r` not before `\n`), one more when it does not end with one. Exact for a
    /// piece of one-line records without blank lines, so that the offers of consecutive
    /// pieces, written into parts of one vector this long, need no closing up.
    pub records_bound: usize,
    /// Number of `\n` in it.
    newlines: u64,
}

impl Piece {
    fn new(body: &[u8], bytes: Range<usize>, first_line: u64) -> Piece {
        let text = &body[bytes.clone()];
        let lone_cr = memchr::memchr_iter(b'\r', text)
            .filter(|&k| text.get(k + 1) != Some(&b'\n'))
            .count();
        let newlines = memchr::memchr_iter(b'\n', text).count();
        let unterminated = !matches!(text.last(), None | Some(b'\n' | b'\r'));
        Piece {
            records_bound: newlines + lone_cr + usize::from(unterminated),
            newlines: newlines as u64,
            bytes,
            first_line,
        }
    }
}

/// Cuts `body` (whose first byte is on line `first_line`) into about `pieces` pieces
/// that end after a line break with an even number of quotes before it, so that each
/// starts a record in any well-formed file; [`read_pieces`] checks that they do.
///
/// The cuts are found near each target size (or, in a file with quotes, after counting
/// them); the line breaks in each piece are counted in parallel.
pub fn split(body: &[u8], first_line: u64, pieces: usize) -> Vec<Piece> {
    let mut out: Vec<Piece> = cuts(body, pieces)
        .into_par_iter()
        .map(|bytes| Piece::new(body, bytes, 0))
        .collect();
    let mut line = first_line;
    for piece in &mut out {
        piece.first_line = line;
        line += piece.newlines;
    }
    if out.is_empty() {
        out.push(Piece::new(body, 0..0, first_line));
    }
    out
}

/// The byte ranges of [`split`]'s pieces.
fn cuts(body: &[u8], pieces: usize) -> Vec<Range<usize>> {
    let target = body.len().div_ceil(pieces.max(1)).max(1);
    let has_quotes = memchr::memchr(b'"', body).is_some();
    let mut out = Vec::with_capacity(pieces);
    let mut start = 0;
    while start < body.len() {
        let mut end = (start + target).min(body.len());
        let mut odd = has_quotes && memchr::memchr_iter(b'"', &body[start..end]).count() % 2 == 1;
        end = loop {
            match memchr::memchr2(b'\n', b'"', &body[end..]) {
                None => break body.len(),
                Some(k) if body[end + k] == b'"' => {
                    odd = !odd;
                    end += k + 1;
                }
                Some(k) if odd => end += k + 1,
                Some(k) => break end + k + 1,
            }
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Reads `body` with `read` (given a scanner of one piece), in parallel pieces when the
/// body is large: the results in file order. A piece that did not start a record (its
/// predecessor ended inside quotes, in a file whose quotes are not all at field
/// starts) is read again, with everything after it, in one sequential pass.
pub fn read_pieces<T: Send>(
    body: &[u8],
    separator: u8,
    first_line: u64,
    read: impl Fn(Scanner<'_>) -> T + Sync,
    ended_in_quotes: impl Fn(&T) -> bool + Sync,
) -> Vec<T> {
    let pieces = split(body, first_line, pieces_for(body.len()));
    read_split(body, separator, &pieces, read, ended_in_quotes)
}

/// How many pieces a body of `len` bytes is read in: one below [`PARALLEL_MIN_BYTES`]
/// or on one thread, else a few per thread (of at least a quarter of that size).
pub fn pieces_for(len: usize) -> usize {
    let threads = rayon::current_num_threads();
    if threads < 2 || len < PARALLEL_MIN_BYTES {
        1
    } else {
        (threads * 4).min(len / (PARALLEL_MIN_BYTES / 4))
    }
}

/// [`read_pieces`] over the pieces of [`split`].
pub(crate) fn read_split<T: Send>(
    body: &[u8],
    separator: u8,
    pieces: &[Piece],
    read: impl Fn(Scanner<'_>) -> T + Sync,
    ended_in_quotes: impl Fn(&T) -> bool + Sync,
) -> Vec<T> {
    let scan = |p: &Piece| scan_copy(body, p, separator, &read);
    let mut out: Vec<T> = pieces.par_iter().map(scan).collect();
    if let Some(bad) = out[..out.len() - 1].iter().position(&ended_in_quotes) {
        // The pieces up to `bad` start records (each before it ended between records),
        // so `bad` read to the end of the body in one pass is right.
        out.truncate(bad + 1);
        out[bad] = scan(&Piece::new(
            body,
            pieces[bad].bytes.start..body.len(),
            pieces[bad].first_line,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Records as (line, fields) by this scanner.
    fn ours(input: &[u8], sep: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut s = Scanner::new(input, sep, 1);
        let mut out = Vec::new();
        while let Some(line) = s.next_record() {
            out.push((line, s.fields().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// Records as (line, fields) by the csv crate, lines counted from byte offsets as
    /// the reader did before this scanner.
    fn theirs(input: &[u8], sep: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let mut at = rec.position().unwrap().byte() as usize;
            while at < input.len() && matches!(input[at], b'\r' | b'\n') {
                at += 1;
            }
            let line = 1 + input[..at].iter().filter(|&&b| b == b'\n').count() as u64;
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// Random CSV-like bytes: fields quoted or not, quotes in odd places, separators
    /// and line breaks inside quotes, CRLF, lone CR, blank lines, a missing last
    /// terminator.
    fn random_csv(rng: &mut Rng, sep: u8) -> Vec<u8> {
        const ATOMS: [&[u8]; 12] = [
            b"a",
            b"12.5",
            b" x ",
            b"\"",
            b"\"\"",
            b"\n",
            b"\r\n",
            b"\r",
            b"\"q,;\nz\"",
            b"\xc3\xa9",
            b"",
            b"\"a\"b",
        ];
        let mut out = Vec::new();
        for _ in 0..rng.below(40) {
            match rng.below(6) {
                0 => out.push(sep),
                1 => out.extend_from_slice(b"\n"),
                _ => out.extend_from_slice(ATOMS[rng.below(ATOMS.len() as u64) as usize]),
            }
        }
        out
    }

    #[test]
    fn records_equal_the_csv_crate_on_random_files() {
        let mut rng = Rng::new(15);
        for _ in 0..20_000 {
            let sep = if rng.below(2) == 0 { b',' } else { b';' };
            let input = random_csv(&mut rng, sep);
            assert_eq!(
                ours(&input, sep),
                theirs(&input, sep),
                "{:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }

    #[test]
    fn quoted_fields_keep_separators_line_breaks_and_quotes() {
        let input = b"a,\"b,1\nc\",\"say \"\"hi\"\"\"\r\n\r\n\"x\"y,\n  \"z\",w";
        let got = ours(input, b',');
        let want: Vec<(u64, Vec<&[u8]>)> = vec![
            (1, vec![b"a", b"b,1\nc", b"say \"hi\""]),
            (4, vec![b"xy", b""]),
            (5, vec![b"  \"z\"", b"w"]),
        ];
        let got: Vec<(u64, Vec<&[u8]>)> = got
            .iter()
            .map(|(l, f)| (*l, f.iter().map(Vec::as_slice).collect()))
            .collect();
        assert_eq!(got, want);
    }

    /// Pieces read in parallel give the records of one pass, with their lines, also when
    /// quoted fields hold line breaks and when quotes sit inside unquoted fields (the
    /// case the split cannot tell, read again sequentially).
    #[test]
    fn pieces_read_like_one_pass() {
        let mut rng = Rng::new(7);
        for case in 0..6 {
            let mut body = Vec::new();
            while body.len() < 60_000 {
                match (case, rng.below(50)) {
                    (1.., 0) => body.extend_from_slice(b"\"multi\nline, quoted\",1\r\n"),
                    (3.., 1) => body.extend_from_slice(b"in\"side,2\n"),
                    (5, 2) => body.extend_from_slice(b"\"\"\"\n,\"\n\n"),
                    _ => body.extend_from_slice(
                        format!("r{},{}\n", rng.below(1000), rng.below(9)).as_bytes(),
                    ),
                }
            }
            let want = ours(&body, b',');
            for pieces in [1, 2, 7, 200] {
                let parts = split(&body, 1, pieces);
                assert_eq!(parts.first().unwrap().bytes.start, 0);
                assert_eq!(parts.last().unwrap().bytes.end, body.len());
                let got: Vec<_> = read_split(
                    &body,
                    b',',
                    &parts,
                    |mut s| {
                        let mut out = Vec::new();
                        while let Some(line) = s.next_record() {
                            out.push((line, s.fields().map(<[u8]>::to_vec).collect::<Vec<_>>()));
                        }
                        (out, s.ended_in_quotes())
                    },
                    |r| r.1,
                )
                .into_iter()
                .flat_map(|r| r.0)
                .collect();
                assert_eq!(got.len(), want.len(), "case {case}, {pieces} pieces");
                assert!(got == want, "case {case}, {pieces} pieces");
            }
        }
    }
    /// A piece of one-line records bounds its records exactly; any piece bounds them.
    #[test]
    fn records_bound_is_exact_for_one_line_records() {
        let body = b"a,1\nb,2\r\nc,3\rd,4\n";
        for pieces in [1, 2, 4] {
            let parts = split(body, 1, pieces);
            for p in &parts {
                let mut s = Scanner::new(&body[p.bytes.clone()], b',', p.first_line);
                let mut records = 0;
                while s.next_record().is_some() {
                    records += 1;
                }
                assert_eq!(p.records_bound, records, "{pieces} pieces");
            }
        }
        assert_eq!(split(b"a\nb", 1, 1)[0].records_bound, 2);
        assert_eq!(split(b"", 1, 1)[0].records_bound, 0);
        assert_eq!(split(b"\"x\ny\"\n", 1, 1)[0].records_bound, 2);
    }
    /// The word-at-a-time search finds the first separator or line break at every start,
    /// against a byte-by-byte search, with bytes near the ones sought (borrows).
    #[test]
    fn field_end_equals_a_byte_search() {
        let mut rng = Rng::new(11);
        const BYTES: &[u8] = b",;\n\r\x00\x01\x0b\x0c\x2b\x2d\xffaz";
        for _ in 0..20_000 {
            let len = rng.below(40) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| BYTES[rng.below(BYTES.len() as u64) as usize])
                .collect();
            let sep = if rng.below(2) == 0 { b',' } else { b';' };
            let scanner = Scanner::new(&input, sep, 1);
            for start in 0..=len {
                let want = (start..len)
                    .find(|&k| matches!(input[k], b'\n' | b'\r') || input[k] == sep)
                    .unwrap_or(len);
                assert_eq!(scanner.field_end(start), want, "{input:?} from {start}");
            }
        }
    }
}
