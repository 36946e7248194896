package main

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// notText says why body is not text, or returns "" when it is: valid UTF-8
// without NUL bytes, which no text file has but most binary formats do.
func notText(body []byte) string {
	if i := bytes.IndexByte(body, 0); i >= 0 {
		return fmt.Sprintf("NUL byte at offset %d", i)
	}
	if utf8.Valid(body) {
		return ""
	}
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Sprintf("invalid UTF-8 at offset %d", i)
		}
		i += size
	}
	return "invalid UTF-8"
}

// countText counts lines as an editor shows them (a last line without a
// newline still counts) and words as wc does: runs of non-space characters.
func countText(body []byte) (lines, words int) {
	lines = bytes.Count(body, []byte{'\n'})
	if len(body) > 0 && body[len(body)-1] != '\n' {
		lines++
	}
	inWord := false
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRune(body[i:])
		i += size
		if unicode.IsSpace(r) {
			inWord = false
			continue
		}
		if !inWord {
			words++
			inWord = true
		}
	}
	return lines, words
}
