package reports

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// reportFiles are the files WriteAll writes, each by one writer of the same Run.
var reportFiles = []struct {
	name  string
	write func(io.Writer, Run) error
}{
	{"results.json", WriteJSON},
	{"junit.xml", WriteJUnit},
	{"report.md", WriteMarkdown},
	{"report.html", WriteHTML},
}

// WriteAll writes results.json, junit.xml, report.md and report.html into dir, creating it, and
// returns their paths.
func WriteAll(dir string, run Run) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range reportFiles {
		path := filepath.Join(dir, f.name)
		if err := writeFile(path, run, f.write); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func writeFile(path string, run Run, write func(io.Writer, Run) error) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(file, run); err != nil {
		return errors.Join(fmt.Errorf("writing %s: %w", path, err), file.Close())
	}
	return file.Close()
}
