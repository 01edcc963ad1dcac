// A CoreMark-like mix (same kinds of work, not CoreMark's code): linked-list
// search, reversal and merge sort through a comparator pointer; small integer
// matrix arithmetic; a number-scanning state machine. Each phase's results
// go through CRC-16 and the CRC folds into the checksum.

#include "workload.h"

enum { kListLen = 128, kMatrixN = 12, kTextLen = 512 };

// ---- CRC-16/ARC (reflected polynomial 0xA001, initial value 0) ----

static uint16_t crc16_byte(uint16_t crc, uint8_t byte) {
  crc ^= byte;
  for (int i = 0; i < 8; i++) crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa001) : crc >> 1;
  return crc;
}

static uint16_t crc16_u32(uint16_t crc, uint32_t v) {
  for (int i = 0; i < 4; i++) crc = crc16_byte(crc, (uint8_t)(v >> (8 * i)));
  return crc;
}

// ---- Linked list ----

typedef struct Node {
  struct Node* next;
  int16_t data;
  uint16_t idx;
} Node;

typedef int (*NodeCompare)(const Node*, const Node*);

static Node nodes[kListLen];

static int16_t small_value(uint64_t r) { return (int16_t)((int32_t)(r & 0x3fff) - 0x2000); }

static int compare_data(const Node* a, const Node* b) {
  if (a->data != b->data) return a->data < b->data ? -1 : 1;
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int compare_idx(const Node* a, const Node* b) {
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static Node* list_build(uint64_t* seed) {
  for (int i = 0; i < kListLen; i++) {
    nodes[i].next = i + 1 < kListLen ? &nodes[i + 1] : 0;
    nodes[i].data = small_value(wl_next(seed));
    nodes[i].idx = (uint16_t)i;
  }
  return &nodes[0];
}

// Returns the 1-based position of the first node holding `value`, or 0.
static uint32_t list_find(const Node* list, int16_t value) {
  for (uint32_t pos = 1; list; list = list->next, pos++) {
    if (list->data == value) return pos;
  }
  return 0;
}

static Node* list_reverse(Node* list) {
  Node* reversed = 0;
  while (list) {
    Node* next = list->next;
    list->next = reversed;
    reversed = list;
    list = next;
  }
  return reversed;
}

// Bottom-up merge sort: merge runs of width 1, 2, 4, ... until one run is
// left. Stable, no recursion, no extra memory.
static Node* list_sort(Node* list, NodeCompare compare) {
  for (uint32_t width = 1;; width *= 2) {
    Node* p = list;
    Node* tail = 0;
    uint32_t merges = 0;
    list = 0;
    while (p) {
      merges++;
      Node* q = p;
      uint32_t p_len = 0;
      while (p_len < width && q) {
        p_len++;
        q = q->next;
      }
      uint32_t q_len = width;
      while (p_len > 0 || (q_len > 0 && q)) {
        Node* take;
        if (p_len == 0 || (q_len > 0 && q && compare(q, p) < 0)) {
          take = q;
          q = q->next;
          q_len--;
        } else {
          take = p;
          p = p->next;
          p_len--;
        }
        if (tail) {
          tail->next = take;
        } else {
          list = take;
        }
        tail = take;
      }
      p = q;
    }
    tail->next = 0;
    if (merges <= 1) return list;
  }
}

static uint16_t list_phase(Node** list, uint32_t iter) {
  uint16_t crc = 0;
  // Half the searches hit (a value taken from a node), half likely miss.
  for (uint32_t k = 0; k < 8; k++) {
    int16_t target =
        (k & 1) ? nodes[(iter * 13 + k * 29) % kListLen].data : small_value(iter * 977 + k * 7919);
    crc = crc16_u32(crc, list_find(*list, target));
  }
  *list = list_reverse(*list);
  crc = crc16_u32(crc, (*list)->idx);
  *list = list_sort(*list, compare_data);
  for (const Node* n = *list; n; n = n->next) crc = crc16_u32(crc, (uint32_t)n->data ^ n->idx);
  *list = list_sort(*list, compare_idx);
  // Change a few values so the next iteration sorts a different list.
  for (uint32_t k = 0; k < 4; k++) {
    Node* n = &nodes[(iter * 7 + k * 41) % kListLen];
    n->data = small_value((uint32_t)n->data * 31 + iter + k);
  }
  return crc;
}

// ---- Matrices ----

static int32_t mat_a[kMatrixN][kMatrixN];
static int32_t mat_b[kMatrixN][kMatrixN];
static int32_t mat_c[kMatrixN][kMatrixN];

static void matrix_init(uint64_t* seed) {
  for (int i = 0; i < kMatrixN; i++) {
    for (int j = 0; j < kMatrixN; j++) {
      uint64_t r = wl_next(seed);
      mat_a[i][j] = (int32_t)(r & 0xff) - 128;
      mat_b[i][j] = (int32_t)((r >> 8) & 0xff) - 128;
    }
  }
}

static void matrix_add_const(int32_t m[kMatrixN][kMatrixN], int32_t v) {
  for (int i = 0; i < kMatrixN; i++) {
    for (int j = 0; j < kMatrixN; j++) m[i][j] += v;
  }
}

static uint16_t matrix_crc(uint16_t crc) {
  for (int i = 0; i < kMatrixN; i++) {
    for (int j = 0; j < kMatrixN; j++) crc = crc16_u32(crc, (uint32_t)mat_c[i][j]);
  }
  return crc;
}

static uint16_t matrix_phase(uint32_t iter) {
  uint16_t crc = 0;
  int32_t v = (int32_t)(iter % 128) - 64;
  matrix_add_const(mat_a, v);

  // Scale by a constant.
  for (int i = 0; i < kMatrixN; i++) {
    for (int j = 0; j < kMatrixN; j++) mat_c[i][j] = mat_a[i][j] * v;
  }
  crc = matrix_crc(crc);

  // Plain product.
  for (int i = 0; i < kMatrixN; i++) {
    for (int j = 0; j < kMatrixN; j++) {
      int32_t sum = 0;
      for (int k = 0; k < kMatrixN; k++) sum += mat_a[i][k] * mat_b[k][j];
      mat_c[i][j] = sum;
    }
  }
  crc = matrix_crc(crc);

  // Product of bit fields taken from each term (unsigned, so shifts of
  // negative terms are well defined).
  for (int i = 0; i < kMatrixN; i++) {
    for (int j = 0; j < kMatrixN; j++) {
      uint32_t sum = 0;
      for (int k = 0; k < kMatrixN; k++) {
        uint32_t term = (uint32_t)(mat_a[i][k] * mat_b[k][j]);
        sum += ((term >> 2) & 0xf) * ((term >> 5) & 0x7f);
      }
      mat_c[i][j] = (int32_t)sum;
    }
  }
  crc = matrix_crc(crc);

  matrix_add_const(mat_a, -v);
  // Drift B so the next product differs.
  mat_b[iter % kMatrixN][(iter / kMatrixN) % kMatrixN] ^= (int32_t)(iter & 0x3f);
  return crc;
}

// ---- Number scanner ----

// Classifies comma-separated tokens as integers ("-12"), decimals ("3.25"),
// scientific ("1.5e-3") or invalid.
typedef enum {
  kStart,
  kSign,
  kInteger,
  kPoint,
  kDecimal,
  kExponent,
  kExponentSign,
  kScientific,
  kInvalid,
  kStateCount,
} ScanState;

static uint8_t text[kTextLen];

static const char kAlphabet[] = "0123456789+-.eE,x";

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static ScanState next_state(ScanState s, uint8_t c) {
  switch (s) {
    case kStart:
      if (is_digit(c)) return kInteger;
      return (c == '+' || c == '-') ? kSign : c == '.' ? kPoint : kInvalid;
    case kSign:
      if (is_digit(c)) return kInteger;
      return c == '.' ? kPoint : kInvalid;
    case kInteger:
      if (is_digit(c)) return kInteger;
      return c == '.' ? kPoint : (c == 'e' || c == 'E') ? kExponent : kInvalid;
    case kPoint:
      return is_digit(c) ? kDecimal : kInvalid;
    case kDecimal:
      if (is_digit(c)) return kDecimal;
      return (c == 'e' || c == 'E') ? kExponent : kInvalid;
    case kExponent:
      if (is_digit(c)) return kScientific;
      return (c == '+' || c == '-') ? kExponentSign : kInvalid;
    case kExponentSign:
    case kScientific:
      return is_digit(c) ? kScientific : kInvalid;
    default:
      return kInvalid;
  }
}

static void text_init(uint64_t* seed) {
  uint32_t pos = 0;
  while (pos < kTextLen) {
    uint64_t r = wl_next(seed);
    // A token shape: [sign] digits [. digits [e [sign] digits]], or junk.
    char token[24];
    uint32_t len = 0;
    if (r & 1) token[len++] = (r & 2) ? '-' : '+';
    for (uint32_t d = 0; d < 1 + (r >> 2) % 5; d++)
      token[len++] = (char)('0' + (r >> (8 + d * 4)) % 10);
    if ((r >> 40) % 3 != 0) {
      token[len++] = '.';
      token[len++] = (char)('0' + (r >> 44) % 10);
      if ((r >> 48) & 1) {
        token[len++] = 'e';
        if ((r >> 49) & 1) token[len++] = '-';
        token[len++] = (char)('0' + (r >> 50) % 10);
      }
    }
    if ((r >> 56) % 8 == 0) token[(r >> 59) % len] = 'x';
    token[len++] = ',';
    for (uint32_t i = 0; i < len && pos < kTextLen; i++) text[pos++] = (uint8_t)token[i];
  }
}

static uint16_t scan_phase(uint32_t iter) {
  uint32_t finals[kStateCount] = {0};
  uint32_t transitions = 0;
  ScanState s = kStart;
  for (uint32_t i = 0; i < kTextLen; i++) {
    uint8_t c = text[i];
    if (c == ',') {
      finals[s]++;
      s = kStart;
      continue;
    }
    ScanState next = next_state(s, c);
    transitions += next != s;
    s = next;
  }
  finals[s]++;

  uint16_t crc = crc16_u32(0, transitions);
  for (int i = 0; i < kStateCount; i++) crc = crc16_u32(crc, finals[i]);
  // Corrupt a few characters so later scans see different tokens.
  for (uint32_t k = 0; k < 4; k++) {
    uint32_t pos = (iter * 37 + k * 101) % kTextLen;
    text[pos] = (uint8_t)kAlphabet[(text[pos] + iter + k) % (sizeof kAlphabet - 1)];
  }
  return crc;
}

WL_EXPORT uint64_t run(uint32_t iterations) {
  uint64_t seed = 0xc0e3a4;
  Node* list = list_build(&seed);
  matrix_init(&seed);
  text_init(&seed);

  uint64_t checksum = 0;
  for (uint32_t i = 0; i < iterations; i++) {
    checksum = wl_fold(checksum, list_phase(&list, i));
    checksum = wl_fold(checksum, matrix_phase(i));
    checksum = wl_fold(checksum, scan_phase(i));
  }
  return checksum;
}
