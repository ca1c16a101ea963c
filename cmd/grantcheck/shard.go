package main

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/grantcheck/grantcheck/harness/config"
)

// shard is one part of the audited clients: the K-th of N (K from 1); the zero value is all.
type shard struct{ k, n int }

// Environment variables --shard auto reads, in this order of precedence.
const (
	// GRANTCHECK_SHARD_INDEX (from 0) and GRANTCHECK_SHARD_TOTAL: set them from a GitHub Actions
	// matrix (${{ strategy.job-index }}, ${{ strategy.job-total }}) or any other CI system.
	envShardIndex = "GRANTCHECK_SHARD_INDEX"
	envShardTotal = "GRANTCHECK_SHARD_TOTAL"
	// GitLab's parallel: jobs (CI_NODE_INDEX from 1).
	envGitLabIndex = "CI_NODE_INDEX"
	envGitLabTotal = "CI_NODE_TOTAL"
	// A Kubernetes Indexed Job's pod (from 0); the total is the Job's completions, passed with
	// --shard-total or GRANTCHECK_SHARD_TOTAL.
	envK8sIndex = "JOB_COMPLETION_INDEX"
)

const maxShards = 1000

// parseShard reads --shard: "" (every client), "K/N", or "auto" (the CI system's environment).
func parseShard(spec string, total int, lookup func(string) (string, bool)) (shard, error) {
	switch spec {
	case "":
		if total != 0 {
			return shard{}, fmt.Errorf("--shard-total %d needs --shard auto", total)
		}
		return shard{}, nil
	case "auto":
		return autoShard(total, lookup)
	}
	ks, ns, ok := strings.Cut(spec, "/")
	k, errK := strconv.Atoi(ks)
	n, errN := strconv.Atoi(ns)
	if !ok || errK != nil || errN != nil {
		return shard{}, fmt.Errorf("--shard %q: want K/N (the K-th of N parts, e.g. 2/4) or auto", spec)
	}
	return newShard(k, n, "--shard "+strconv.Quote(spec))
}

func newShard(k, n int, from string) (shard, error) {
	switch {
	case n < 1 || n > maxShards:
		return shard{}, fmt.Errorf("%s: the number of parts %d is not between 1 and %d", from, n, maxShards)
	case k < 1 || k > n:
		return shard{}, fmt.Errorf("%s: part %d is not between 1 and %d", from, k, n)
	}
	return shard{k, n}, nil
}

// autoShard finds the part in the environment of GitHub Actions (through GRANTCHECK_SHARD_*),
// GitLab or a Kubernetes Indexed Job.
func autoShard(total int, lookup func(string) (string, bool)) (shard, error) {
	num := func(name string) (int, bool, error) {
		v, ok := lookup(name)
		if !ok || v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, true, fmt.Errorf("--shard auto: %s=%q is not a whole number", name, v)
		}
		return n, true, nil
	}
	for _, src := range []struct {
		index, total string
		base         int // the index of the first part
	}{{envShardIndex, envShardTotal, 0}, {envGitLabIndex, envGitLabTotal, 1}, {envK8sIndex, envShardTotal, 0}} {
		i, ok, err := num(src.index)
		if err != nil {
			return shard{}, err
		}
		if !ok {
			continue
		}
		n, ok, err := num(src.total)
		if err != nil {
			return shard{}, err
		}
		if total != 0 {
			if ok && n != total {
				return shard{}, fmt.Errorf("--shard auto: --shard-total %d and %s=%d disagree", total, src.total, n)
			}
			n, ok = total, true
		}
		if !ok {
			return shard{}, fmt.Errorf("--shard auto: %s is set but not the number of parts: pass --shard-total N (or set %s)", src.index, src.total)
		}
		return newShard(i-src.base+1, n, fmt.Sprintf("--shard auto (%s=%d, %d parts)", src.index, i, n))
	}
	return shard{}, fmt.Errorf("--shard auto: no shard in the environment: set %s (from 0) and %s (GitHub Actions: ${{ strategy.job-index }} and ${{ strategy.job-total }}), "+
		"or run as a GitLab parallel job (%s, %s) or a Kubernetes Indexed Job (%s with --shard-total)",
		envShardIndex, envShardTotal, envGitLabIndex, envGitLabTotal, envK8sIndex)
}

// Pick is the clients of this part, in list order. A client's part depends on its client_id alone
// (FNV-1a), so it is the same on every machine and run, and stays put when others are added.
func (s shard) Pick(clients []*config.Client) []*config.Client {
	if s.n <= 1 {
		return clients
	}
	var out []*config.Client
	for _, c := range clients {
		if s.owns(c.ClientID) {
			out = append(out, c)
		}
	}
	return out
}

func (s shard) owns(clientID string) bool {
	h := fnv.New32a()
	h.Write([]byte(clientID))
	return int(h.Sum32()%uint32(s.n)) == s.k-1
}

// String is "K/N", "" for every client.
func (s shard) String() string {
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.k, s.n)
}

// Note is the run header's mention of the part.
func (s shard) Note() string {
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf(" (shard %s)", s)
}
