#define stp_rwlock_init(l) do{}while(0)
struct stp_probe_lock {
	#ifdef STP_TIMING
	atomic_t *skipped;
	atomic_t *contention;
	#endif
	stp_rwlock_t *lock;
	unsigned write_p;
};
static void stp_unlock_probe(const struct stp_probe_lock *locks, unsigned num_locks) { (void)locks; (void)num_locks; }
static unsigned stp_lock_probe(const struct stp_probe_lock *locks, unsigned num_locks) { (void)locks; (void)num_locks; return 1; }
