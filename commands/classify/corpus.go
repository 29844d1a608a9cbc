package classify

import (
	"bufio"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Row is one labelled request: training data, or a coordinator's override.
type Row struct {
	Set    string  // where it came from: a file name, or "override"
	Line   int     // its line in that file
	Text   string  //
	Kind   Kind    //
	Type   Type    // empty when only the kind is known
	Weight float64 // how much it counts in training; 0 means 1
}

//go:embed data/*.tsv
var dataFS embed.FS

// BlindSet is the set kept out of the committed model's cross-validation
// headline: it was written before the first model was trained and scored
// once, see its header.
const BlindSet = "blind7.tsv"

// Corpus returns every labelled set committed with the package (data/*.tsv),
// the blind set included, in file order.
func Corpus() ([]Row, error) {
	names, err := fs.Glob(dataFS, "data/*.tsv")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var rows []Row
	for _, n := range names {
		f, err := dataFS.Open(n)
		if err != nil {
			return nil, err
		}
		rs, err := ReadRows(f, path.Base(n))
		f.Close()
		if err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	return rows, nil
}

// maxEvalLine bounds one line of a labelled file; longer lines are an error
// rather than an unbounded read.
const maxEvalLine = 1 << 20

// ReadRows reads a labelled file: lines "label<TAB>text" where label is
// project, support, or support/<type> (support/incident,
// support/service_request, support/mac, support/recurring). Blank lines and
// lines starting with # are skipped. A malformed line stops the read with an
// error naming its line number, so a typo in the file is not silently
// scored as a miss.
func ReadRows(r io.Reader, set string) ([]Row, error) {
	var rows []Row
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err == io.EOF && line == "" {
			break
		}
		if err != nil && err != io.EOF {
			return rows, fmt.Errorf("line %d: %w", n, err)
		}
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF") // a BOM from Windows editors
		}
		if trimmed := strings.TrimSpace(line); trimmed != "" && !strings.HasPrefix(trimmed, "#") {
			label, text, ok := strings.Cut(line, "\t")
			if !ok {
				return rows, fmt.Errorf("line %d: want \"label<TAB>text\", found no tab", n)
			}
			k, t, lerr := parseLabel(label)
			if lerr != nil {
				return rows, fmt.Errorf("line %d: %w", n, lerr)
			}
			text = strings.TrimSpace(text)
			if text == "" {
				return rows, fmt.Errorf("line %d: empty text", n)
			}
			rows = append(rows, Row{Set: set, Line: n, Text: text, Kind: k, Type: t})
		}
		if err == io.EOF {
			break
		}
	}
	return rows, nil
}

// parseLabel reads "project", "support" or "support/<type>".
func parseLabel(label string) (Kind, Type, error) {
	l := strings.ToLower(strings.TrimSpace(label))
	k, t, _ := strings.Cut(l, "/")
	kind := Kind(k)
	if kind != KindProject && kind != KindSupport {
		return "", "", fmt.Errorf("label %q is not project or support", strings.TrimSpace(label))
	}
	typ := Type(t)
	if kind == KindProject {
		typ = TypeProject
	}
	if typ != "" && !TypeFits(kind, typ) {
		return "", "", fmt.Errorf("label %q: %q is not a %s type", strings.TrimSpace(label), t, kind)
	}
	return kind, typ, nil
}

// readLine reads one line without its line ending ("\n" or "\r\n").
func readLine(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		chunk, isPrefix, err := br.ReadLine()
		sb.Write(chunk)
		if sb.Len() > maxEvalLine {
			return "", errors.New("line too long")
		}
		if err != nil {
			return sb.String(), err
		}
		if !isPrefix {
			return sb.String(), nil
		}
	}
}

// ReadTicketsCSV reads the public support tickets (id,title,body,
// source_category; see shared/data/PROVENANCE.md): every row is support,
// an incident unless its category says it was a request.
func ReadTicketsCSV(r io.Reader, set string) ([]Row, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", set, err)
	}
	if len(head) != 4 || head[1] != "title" || head[2] != "body" {
		return nil, fmt.Errorf("%s: header %q, want id,title,body,source_category", set, head)
	}
	var rows []Row
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", set, err)
		}
		t := TypeIncident
		if strings.HasPrefix(rec[3], "Request/") {
			t = TypeServiceRequest
		}
		rows = append(rows, Row{Set: set, Line: n, Text: rec[1] + ". " + rec[2], Kind: KindSupport, Type: t})
	}
}
