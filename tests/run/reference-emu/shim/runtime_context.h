static struct context *_emu_context;
static int _stp_runtime_contexts_alloc(void) { _emu_context = calloc(1, sizeof(struct context)); return _emu_context ? 0 : -ENOMEM; }
static void _stp_runtime_contexts_free(void) { }
static int _stp_runtime_get_data_index(void) { return 0; }
static struct context *_stp_runtime_entryfn_get_context(void) { return _emu_context; }
static void _stp_runtime_entryfn_put_context(struct context *c) { (void)c; }
static struct context *_stp_runtime_get_context(void) { return _emu_context; }
