package wabi

import "unsafe"

// pathPrefix builds the path of an error from the inside out, prepending one segment per level
// in amortized constant time (a path 128 levels deep costs no more than its length, not its
// length times the depth). The path is kept at the end of buf; the strings at returns alias bytes
// of buf that are never written again.
type pathPrefix struct {
	buf   []byte
	start int
}

// prepend puts seg in front of path, which is usually the string p returned last, and returns
// the result.
func (p *pathPrefix) prepend(seg, path string) string {
	if !p.holds(path) {
		p.buf, p.start = nil, 0
		if path != "" {
			p.prepend(path, "")
		}
	}
	if p.start < len(seg) {
		n := len(p.buf) - p.start
		c := 2*len(p.buf) + len(seg) + 64
		b := make([]byte, c)
		copy(b[c-n:], p.buf[p.start:])
		p.buf, p.start = b, c-n
	}
	p.start -= len(seg)
	copy(p.buf[p.start:], seg)
	return p.current()
}

// holds reports whether path is the string p returned last (the same bytes, not a copy).
func (p *pathPrefix) holds(path string) bool {
	n := len(p.buf) - p.start
	return len(path) == n && (n == 0 || unsafe.StringData(path) == &p.buf[p.start])
}

func (p *pathPrefix) current() string {
	if p.start == len(p.buf) {
		return ""
	}
	return unsafe.String(&p.buf[p.start], len(p.buf)-p.start)
}
