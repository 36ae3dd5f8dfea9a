/*
 * Host views of BPF maps (bpfmap.c), the backend of stp_map_bpf() and
 * stp_stat_bpf(): the same operations as map.h's, each a system call.
 */
#ifndef STAP_RUNTIME_BPFMAP_H
#define STAP_RUNTIME_BPFMAP_H

#include "map.h"
#include "output.h"

struct bpf_view;

/* NULL when the loaded object has no such map. */
struct bpf_view *bview_new(const char *name, const char *keytypes, const uint32_t *offsets,
			   const uint32_t *sizes, uint32_t key_size, enum map_type value,
			   const struct stat_params *p, int64_t declared, size_t max_string,
			   map_stats_fn stats_value);
void bview_free(struct bpf_view *bv);
const char *bview_overflow_message(const struct bpf_view *bv);

/* k: the key's columns; NULL for a scalar statistic (key 0). */
bool bview_exists(struct bpf_view *bv, const union map_key *k);
int64_t bview_get_long(struct bpf_view *bv, const union map_key *k);
const char *bview_get_string(struct bpf_view *bv, const union map_key *k); /* until the next */
const struct stat_agg *bview_get_stats(struct bpf_view *bv, const union map_key *k);
/* The same by the BPF key's bytes. */
const struct stat_agg *bview_get_stats_raw(struct bpf_view *bv, const void *key);
int bview_set_long(struct bpf_view *bv, const union map_key *k, int64_t v);       /* -ENOSPC */
int bview_set_string(struct bpf_view *bv, const union map_key *k, const char *v); /* -ENOSPC */
int bview_stat_add(struct bpf_view *bv, const union map_key *k, int64_t v);       /* -ENOSPC */
void bview_stat_clear(struct bpf_view *bv);
void bview_delete(struct bpf_view *bv, const union map_key *k);
void bview_clear(struct bpf_view *bv);
int64_t bview_count(struct bpf_view *bv);
/* A host copy of the whole map, for a foreach (map_free it). */
struct map *bview_snapshot(struct bpf_view *bv);

#endif
