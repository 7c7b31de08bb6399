/* wlsimg: parallel, reproducible gzip compression — see gzip.h. */
#include "lib/gzip.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>

#include "lib/alloc.h"

/* ---- gzip: parallel multi-member (libdeflate) ----
 *
 * The input is cut into fixed GZ_CHUNK pieces; each piece becomes one gzip member (RFC 1952; header
 * with no name, mtime 0, OS unix), compressed whole by libdeflate. Members are written in input
 * order, so the stream is a plain multi-member gzip file (gunzip, zlib, Go and containerd read it)
 * whose bytes depend only on the input and the level: never on the thread count or on timing.
 *
 * Pipeline: a ring of 2 slots per worker, each an input chunk and an output buffer. The caller's
 * thread fills slot k and queues it; workers compress queued slots in order; the caller's thread
 * writes finished slots in order to the sink (which is only ever called from that thread) before
 * reusing them. Memory is bounded by the ring: about 2 MiB per slot, threads <= GZ_MAX_THREADS.
 * Workers start when the first chunk is full, so streams under 1 MiB never start a thread. With
 * in_hash set (the layer writer's diff_id), one more thread hashes the queued input chunks in
 * order, in place; a slot is refilled only once it is both written and hashed.
 *
 * Data that does not shrink (zip entries, jars, random data) is stored rather than deflated: a
 * chunk is looked at in GZ_PARTS equal parts, a part whose samples do not shrink is incompressible,
 * and each run of neighbouring parts of one kind becomes one member, stored or deflated. A chunk of
 * one kind is thus one member, as it always was; a chunk that mixes text and jars (a layer of many
 * small files does) no longer spends the compressor's time on the jars. The decisions depend only
 * on the chunk's bytes, so the output stays reproducible. */

#define GZ_CHUNK       (1u << 20)
#define GZ_MAX_THREADS 8
#define GZ_PROBE       (4u << 10) /* bytes in each of the samples of a part */
#define GZ_SAMPLES     2          /* per part */
#define GZ_PARTS       16         /* of a chunk, each judged compressible or not */

enum gz_state { GZ_FREE, GZ_QUEUED, GZ_DONE };

struct gz_slot {
  unsigned char *in, *out;
  size_t in_len, out_len;
  uint64_t seq; /* the chunk this slot holds */
  enum gz_state state;
};

struct gz_worker {
  struct wi_gzip *z;
  /* the stream's level, level 0 (stored blocks) and level 1 (the cheap compressibility probe) */
  struct libdeflate_compressor *c, *c0, *c1;
  pthread_t th;
};

struct wi_gzip {
  int level, want_threads;
  wi_sink_fn sink;
  void *payload;
  bool finished;
  size_t out_cap;
  struct gz_slot *slot;
  size_t nslot;
  uint64_t head;         /* sequence number of the chunk being filled (slot head % nslot) */
  uint64_t queued;       /* chunks below this are queued or done */
  uint64_t taken;        /* chunks below this were taken by a worker */
  uint64_t tail;         /* chunks below this were written to the sink */
  struct gz_worker self; /* compressors of the caller's thread (no workers yet, or none) */
  struct gz_worker *w;
  int nw; /* running workers */
  bool quit;
  pthread_mutex_t mu;
  pthread_cond_t work_cv, done_cv;
  /* optional hash of the input, in order: on its own thread once workers run (reading the slots'
   * input in place), else inline; a slot is reused once both written and hashed */
  struct wi_hasher *in_hash;
  uint64_t hashed; /* chunks below this were hashed */
  bool hashing;    /* the hash thread runs */
  pthread_t hth;
  pthread_cond_t hash_cv;
};

/* Every sample of a part fails to shrink by 1/32. */
static bool
incompressible(struct libdeflate_compressor *c, const unsigned char *in, size_t len,
               unsigned char *scratch)
{
  if (len < GZ_SAMPLES * GZ_PROBE)
    return false;
  for (size_t i = 0; i < GZ_SAMPLES; i++) {
    size_t off = i * ((len - GZ_PROBE) / (GZ_SAMPLES - 1));
    if (libdeflate_deflate_compress(c, in + off, GZ_PROBE, scratch, GZ_PROBE - GZ_PROBE / 32) > 0)
      return false;
  }
  return true;
}

/* The chunk as members: each run of neighbouring parts of one kind (stored or deflated) is one.
 * out_len 0 when one does not fit (it always does: the ring's buffers take the bound). */
static void
gz_compress(struct gz_worker *wk, struct gz_slot *s, size_t cap)
{
  size_t nparts = s->in_len >= GZ_PARTS * GZ_SAMPLES * GZ_PROBE ? GZ_PARTS : 1;
  size_t part = s->in_len / nparts;
  bool store[GZ_PARTS];
  for (size_t i = 0; i < nparts; i++) {
    size_t off = i * part, len = i + 1 == nparts ? s->in_len - off : part;
    store[i] = incompressible(wk->c1, s->in + off, len, s->out);
  }
  s->out_len = 0;
  for (size_t i = 0; i < nparts;) {
    size_t j = i + 1;
    while (j < nparts && store[j] == store[i])
      j++;
    size_t off = i * part, len = (j == nparts ? s->in_len : j * part) - off;
    size_t n = libdeflate_gzip_compress(store[i] ? wk->c0 : wk->c, s->in + off, len,
                                        s->out + s->out_len, cap - s->out_len);
    if (n == 0) {
      s->out_len = 0;
      return;
    }
    s->out_len += n;
    i = j;
  }
}

static void *
gz_work(void *arg)
{
  struct gz_worker *wk = arg;
  struct wi_gzip *z = wk->z;

  pthread_mutex_lock(&z->mu);
  for (;;) {
    while (!z->quit && z->taken == z->queued)
      pthread_cond_wait(&z->work_cv, &z->mu);
    if (z->quit)
      break;
    struct gz_slot *s = &z->slot[z->taken++ % z->nslot];
    pthread_mutex_unlock(&z->mu);
    gz_compress(wk, s, z->out_cap);
    pthread_mutex_lock(&z->mu);
    s->state = GZ_DONE;
    pthread_cond_broadcast(&z->done_cv);
  }
  pthread_mutex_unlock(&z->mu);
  return NULL;
}

static void *
gz_hash_work(void *arg)
{
  struct wi_gzip *z = arg;

  pthread_mutex_lock(&z->mu);
  for (;;) {
    while (!z->quit && z->hashed == z->queued)
      pthread_cond_wait(&z->hash_cv, &z->mu);
    if (z->hashed == z->queued)
      break; /* quit with everything hashed */
    struct gz_slot *s = &z->slot[z->hashed % z->nslot];
    pthread_mutex_unlock(&z->mu);
    wi_digest_hasher_update(z->in_hash, s->in, s->in_len);
    pthread_mutex_lock(&z->mu);
    z->hashed++;
    pthread_cond_broadcast(&z->done_cv);
  }
  pthread_mutex_unlock(&z->mu);
  return NULL;
}

static bool
gz_alloc_compressors(struct gz_worker *wk, int level)
{
  wk->c = libdeflate_alloc_compressor(level);
  wk->c0 = libdeflate_alloc_compressor(0);
  wk->c1 = libdeflate_alloc_compressor(1);
  return wk->c && wk->c0 && wk->c1;
}

static void
gz_free_compressors(struct gz_worker *wk)
{
  if (wk->c)
    libdeflate_free_compressor(wk->c);
  if (wk->c0)
    libdeflate_free_compressor(wk->c0);
  if (wk->c1)
    libdeflate_free_compressor(wk->c1);
}

static int
online_cpus(void)
{
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > INT_MAX ? INT_MAX : (int)n;
}

struct wi_gzip *
wi_gzip_new_threads(int level, int threads, wi_sink_fn sink, void *payload)
{
  struct wi_gzip *z;
  if (level <= 0 || level > 12)
    level = WI_GZIP_LEVEL_DEFAULT;
  if (threads <= 0)
    threads = online_cpus();
  if (threads > GZ_MAX_THREADS)
    threads = GZ_MAX_THREADS;
  z = wi_xcalloc(1, sizeof *z);
  z->level = level;
  z->want_threads = threads;
  z->sink = sink;
  z->payload = payload;
  z->self.z = z;
  if (!gz_alloc_compressors(&z->self, level)) {
    gz_free_compressors(&z->self);
    free(z);
    return NULL;
  }
  /* a chunk as up to GZ_PARTS members, each stored or deflated */
  size_t bc = libdeflate_gzip_compress_bound(z->self.c, GZ_CHUNK);
  size_t b0 = libdeflate_gzip_compress_bound(z->self.c0, GZ_CHUNK);
  z->out_cap = (bc > b0 ? bc : b0) + GZ_PARTS * 64;
  /* One thread: compress inline, a single slot. Else two slots per worker keep them busy while
   * the caller fills and writes. */
  z->nslot = threads == 1 ? 1 : 2 * (size_t)threads;
  z->slot = wi_xcalloc(z->nslot, sizeof *z->slot);
  pthread_mutex_init(&z->mu, NULL);
  pthread_cond_init(&z->work_cv, NULL);
  pthread_cond_init(&z->done_cv, NULL);
  pthread_cond_init(&z->hash_cv, NULL);
  return z;
}

struct wi_gzip *
wi_gzip_new(int level, wi_sink_fn sink, void *payload)
{
  return wi_gzip_new_threads(level, 0, sink, payload);
}

/* Start the workers (the first time more than one chunk is seen). Threads that cannot start are
 * simply not used; with none, the caller's thread compresses. */
static void
gz_start_workers(struct wi_gzip *z)
{
  if (z->w || z->want_threads <= 1)
    return;
  z->w = wi_xcalloc((size_t)z->want_threads, sizeof *z->w);
  for (int i = 0; i < z->want_threads; i++) {
    struct gz_worker *wk = &z->w[z->nw];
    wk->z = z;
    if (!gz_alloc_compressors(wk, z->level) || pthread_create(&wk->th, NULL, gz_work, wk) != 0) {
      gz_free_compressors(wk);
      memset(wk, 0, sizeof *wk);
      break;
    }
    z->nw++;
  }
  if (z->nw > 0 && z->in_hash && pthread_create(&z->hth, NULL, gz_hash_work, z) == 0)
    z->hashing = true;
}

/* Write the oldest chunk to the sink, waiting for it when `wait`; 1 when nothing was ready. */
static int
gz_write_oldest(struct wi_gzip *z, bool wait, wi_err *err)
{
  struct gz_slot *s = &z->slot[z->tail % z->nslot];

  if (z->tail == z->queued)
    return 1;
  pthread_mutex_lock(&z->mu);
  while (s->state != GZ_DONE && wait)
    pthread_cond_wait(&z->done_cv, &z->mu);
  bool done = s->state == GZ_DONE;
  pthread_mutex_unlock(&z->mu);
  if (!done)
    return 1;
  if (s->out_len == 0)
    return wi_err_set(err, WI_ERR, "gzip: compression of a %zu-byte chunk failed", s->in_len);
  int ret = z->sink(s->out, s->out_len, z->payload, err);
  if (ret < 0)
    return ret;
  s->state = GZ_FREE;
  z->tail++;
  return 0;
}

/* Queue the chunk being filled, then write whatever is already compressed. */
static int
gz_submit(struct wi_gzip *z, wi_err *err)
{
  struct gz_slot *s = &z->slot[z->head % z->nslot];
  int ret;

  if (!z->finished)
    gz_start_workers(z); /* a full chunk: more may follow */
  if (z->in_hash && !z->hashing) {
    wi_digest_hasher_update(z->in_hash, s->in, s->in_len);
    z->hashed = z->head + 1;
  }
  z->head++;
  if (z->nw == 0) {
    gz_compress(&z->self, s, z->out_cap);
    s->state = GZ_DONE;
    z->queued = z->head;
  } else {
    pthread_mutex_lock(&z->mu);
    s->state = GZ_QUEUED;
    z->queued = z->head;
    pthread_cond_signal(&z->work_cv);
    pthread_cond_signal(&z->hash_cv);
    pthread_mutex_unlock(&z->mu);
  }
  while ((ret = gz_write_oldest(z, false, err)) == 0)
    ;
  return ret < 0 ? ret : 0;
}

/* The slot for chunk `head`, once its previous chunk has been written. */
static struct gz_slot *
gz_fill_slot(struct wi_gzip *z, wi_err *err)
{
  while (z->head - z->tail >= z->nslot) {
    if (gz_write_oldest(z, true, err) < 0)
      return NULL;
  }
  if (z->hashing) {
    pthread_mutex_lock(&z->mu);
    while (z->head - z->hashed >= z->nslot)
      pthread_cond_wait(&z->done_cv, &z->mu);
    pthread_mutex_unlock(&z->mu);
  }
  struct gz_slot *s = &z->slot[z->head % z->nslot];
  if (s->seq != z->head) { /* a new chunk in a reused slot */
    s->seq = z->head;
    s->in_len = 0;
  }
  if (s->in == NULL) {
    s->in = wi_xmalloc(GZ_CHUNK);
    s->out = wi_xmalloc(z->out_cap);
  }
  return s;
}

int
wi_gzip_write(struct wi_gzip *z, const void *data, size_t len, wi_err *err)
{
  const unsigned char *p = data;

  if (z->finished)
    return wi_err_set(err, WI_EINVAL, "gzip stream already finished");
  while (len > 0) {
    struct gz_slot *s = gz_fill_slot(z, err);
    if (s == NULL)
      return err->code;
    size_t take = GZ_CHUNK - s->in_len < len ? GZ_CHUNK - s->in_len : len;
    memcpy(s->in + s->in_len, p, take);
    s->in_len += take;
    p += take;
    len -= take;
    if (s->in_len == GZ_CHUNK) {
      int ret = gz_submit(z, err);
      if (ret < 0)
        return ret;
    }
  }
  return 0;
}

int
wi_gzip_finish(struct wi_gzip *z, wi_err *err)
{
  int ret = 0;

  if (z->finished)
    return wi_err_set(err, WI_EINVAL, "gzip stream already finished");
  z->finished = true;
  /* The partial last chunk; an empty stream still gets one (empty) member. */
  struct gz_slot *s = gz_fill_slot(z, err);
  if (s == NULL)
    return err->code;
  if (s->in_len > 0 || z->head == 0)
    ret = gz_submit(z, err);
  while (ret == 0 && z->tail < z->queued)
    ret = gz_write_oldest(z, true, err);
  if (z->hashing) {
    pthread_mutex_lock(&z->mu);
    while (z->hashed < z->queued)
      pthread_cond_wait(&z->done_cv, &z->mu);
    pthread_mutex_unlock(&z->mu);
  }
  return ret;
}

void
wi_gzip_free(struct wi_gzip *z)
{
  if (z == NULL)
    return;
  pthread_mutex_lock(&z->mu);
  z->quit = true;
  pthread_cond_broadcast(&z->work_cv);
  pthread_cond_broadcast(&z->hash_cv);
  pthread_mutex_unlock(&z->mu);
  if (z->hashing)
    pthread_join(z->hth, NULL);
  for (int i = 0; i < z->nw; i++) {
    pthread_join(z->w[i].th, NULL);
    gz_free_compressors(&z->w[i]);
  }
  free(z->w);
  gz_free_compressors(&z->self);
  for (size_t i = 0; i < z->nslot; i++) {
    free(z->slot[i].in);
    free(z->slot[i].out);
  }
  free(z->slot);
  pthread_cond_destroy(&z->work_cv);
  pthread_cond_destroy(&z->done_cv);
  pthread_cond_destroy(&z->hash_cv);
  pthread_mutex_destroy(&z->mu);
  free(z);
}

void
wi_gzip_hash_input(struct wi_gzip *z, struct wi_hasher *h)
{
  z->in_hash = h;
}

bool
wi_gzip_detect(const void *head, size_t len)
{
  const unsigned char *p = head;
  return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}
