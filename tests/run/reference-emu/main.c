
/* ---- emulator main: what staprun + the module loader would do ---- */
int main(int argc, char **argv)
{
	int rc; long events = 0;
	(void)argc; (void)argv;
	if (getenv("EMU_OUTPUT")) _emu_out = fopen(getenv("EMU_OUTPUT"), "w");
	rc = systemtap_module_init();
	if (rc) { _stp_print_flush(); return 1; }
	/* run the timers on a simulated clock until exit() or an error */
	while (!_stp_exit_flag && events < 10000000) {
		int i, best = -1, best_list = 0; int64_t t = INT64_MAX;
		for (i = 0; i < _emu_n_hrtimers; i++)
			if (_emu_hrtimers[i]->active && _emu_hrtimers[i]->expires < t) { t = _emu_hrtimers[i]->expires; best = i; best_list = 0; }
		for (i = 0; i < _emu_n_timers; i++) {
			int64_t e = (int64_t)(_emu_timers[i]->expires - 1) * (1000000000LL / HZ);
			if (_emu_timers[i]->active && e < t) { t = e; best = i; best_list = 1; }
		}
		if (best < 0) break;
		_emu_now_ns_g = t; events++;
		if (best_list == 0) {
			struct hrtimer *h = _emu_hrtimers[best];
			h->active = 0;
			if (h->function(h) == HRTIMER_RESTART) h->active = 1;
		} else {
			struct timer_list *tl = _emu_timers[best];
			tl->active = 0;
			tl->function(tl);
		}
	}
	if (!_stp_exit_flag) { fprintf(stderr, "EMU: the session would not end by itself\n"); return 97; }
	systemtap_module_exit();
	_stp_print_flush();
	if (_emu_out) fclose(_emu_out);
	return _emu_error_detected;
}
