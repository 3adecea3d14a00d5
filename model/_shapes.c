/* The word-shapes block's facts of new words, in C (sensational.fast.ShapeGroup.facts).

   A word's share of a head's logit is its unit vector of character n-grams (TF-IDF, l2-normalised)
   dotted with the head's coefficients. In Python each new word cost ~12 microseconds, most of a
   fresh model's first pass over a batch: 50 small strings made and looked up, then numpy sorting
   and summing arrays of a million entries. Here each word is done alone, in a few small buffers, and
   its n-grams are looked up by their characters in a hash table of the vocabulary (`table`), so no
   string is made.

   The arithmetic is numpy's, in numpy's order: n-grams counted per distinct union id (ascending,
   which is every vocabulary's column order), tf = count or 1 + log(count), value = tf * idf,
   norm = sqrt of the sum of squares in that order, share = sum of value / norm * coef in that order.
   sensational.features.WordShapes (training) keeps the numpy version; tests hold the two equal. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


#define MAX_GRAM 6  /* characters; longer n-gram ranges are refused (sensational.fast checks first) */
#define TABLE_NAME "sensational._shapes.table"

/* An n-gram of at most 6 characters as two numbers: code point + 1 (21 bits) for each, three to a
   number, 0 where there is no character. Equal n-grams, equal keys; compared in the slot itself. */
typedef struct {
    unsigned long long low, high;
} Key;

static Key key_of(const Py_UCS4 *chars, int length) {
    Key key = {0, 0};
    for (int i = 0; i < length; i++) {
        unsigned long long code = (unsigned long long)chars[i] + 1;
        if (i < 3)
            key.low |= code << (21 * i);
        else
            key.high |= code << (21 * (i - 3));
    }
    return key;
}

static unsigned long long hash_key(Key key) {
    unsigned long long h = key.low * 0x9E3779B97F4A7C15ULL ^ key.high * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

typedef struct {
    Key key;
    long long id;  /* -1: an empty slot */
} Slot;

typedef struct {
    size_t mask;  /* slots - 1; slots is a power of two at least twice the terms */
    Slot *slots;
} Table;

static long long table_find(const Table *table, const Py_UCS4 *chars, int length) {
    Key key = key_of(chars, length);
    for (size_t slot = hash_key(key) & table->mask;; slot = (slot + 1) & table->mask) {
        const Slot *s = &table->slots[slot];
        if (s->id < 0)
            return -1;
        if (s->key.low == key.low && s->key.high == key.high)
            return s->id;
    }
}

static void table_free(PyObject *capsule) {
    Table *table = PyCapsule_GetPointer(capsule, TABLE_NAME);
    if (table != NULL) {
        free(table->slots);
        free(table);
    }
}

/* table(terms): the n-grams of a vocabulary (a list of str, each at most MAX_GRAM characters), each
   found by its characters as its index in the list. */
static PyObject *table(PyObject *self, PyObject *args) {
    PyObject *terms;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &terms))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(terms);
    size_t slots = 16;
    while (slots < 2 * (size_t)n)
        slots *= 2;
    Table *t = malloc(sizeof(Table));
    Slot *table_slots = malloc(slots * sizeof(Slot));
    if (t == NULL || table_slots == NULL) {
        free(t), free(table_slots);
        return PyErr_NoMemory();
    }
    t->mask = slots - 1;
    t->slots = table_slots;
    for (size_t i = 0; i < slots; i++)
        table_slots[i].id = -1;
    for (Py_ssize_t id = 0; id < n; id++) {
        PyObject *term = PyList_GET_ITEM(terms, id);
        if (!PyUnicode_Check(term) || PyUnicode_GET_LENGTH(term) > MAX_GRAM) {
            free(table_slots), free(t);
            return PyErr_Format(PyExc_ValueError, "table: term %zd is not a str of at most %d characters", id, MAX_GRAM);
        }
        Py_UCS4 chars[MAX_GRAM];
        int length = (int)PyUnicode_GET_LENGTH(term);
        for (int c = 0; c < length; c++)
            chars[c] = PyUnicode_READ_CHAR(term, c);
        Key key = key_of(chars, length);
        size_t slot = hash_key(key) & t->mask;
        while (table_slots[slot].id >= 0)
            slot = (slot + 1) & t->mask;
        table_slots[slot].key = key;
        table_slots[slot].id = id;
    }
    return PyCapsule_New(t, TABLE_NAME, table_free);
}

typedef struct {
    Py_buffer columns, idf;  /* per union id: the vocabulary's column or -1; per column: its idf */
} Vocabulary;

typedef struct {
    Py_ssize_t vocabulary;  /* which of the vocabularies this member's coefficients index */
    Py_buffer coef;
} Member;

/* shape_facts(words, table, low, high, sublinear, vocabularies, members, out)
   words: list of str; table: `table` of the union's n-grams (an n-gram's id is its union id); vocabularies: list of (columns int64, idf float64);
   members: list of (vocabulary index, coef float64); out: float64 array (2 * len(members), len(words)),
   C-contiguous, written: per member its share of each word, then how many known n-grams it has. */
static PyObject *shape_facts(PyObject *self, PyObject *args) {
    PyObject *words, *capsule, *vocabularies_list, *members_list;
    Py_ssize_t low, high;
    int sublinear;
    Py_buffer out;
    if (!PyArg_ParseTuple(args, "O!OnnpO!O!w*", &PyList_Type, &words, &capsule, &low, &high,
                          &sublinear, &PyList_Type, &vocabularies_list, &PyList_Type, &members_list, &out))
        return NULL;
    Py_ssize_t n_words = PyList_GET_SIZE(words);
    Py_ssize_t n_vocabularies = PyList_GET_SIZE(vocabularies_list), n_members = PyList_GET_SIZE(members_list);
    Vocabulary *vocabularies = calloc(n_vocabularies ? n_vocabularies : 1, sizeof(Vocabulary));
    Member *members = calloc(n_members ? n_members : 1, sizeof(Member));
    long long *found = NULL;
    double *values = NULL;
    long long *columns = NULL;
    Py_ssize_t capacity = 0, got_vocabularies = 0, got_members = 0;
    PyObject *result = NULL;
    if (vocabularies == NULL || members == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const Table *ids = PyCapsule_GetPointer(capsule, TABLE_NAME);
    if (ids == NULL)
        goto done;
    if (low < 1 || high < low || high > MAX_GRAM || out.len != (Py_ssize_t)sizeof(double) * 2 * n_members * n_words) {
        PyErr_SetString(PyExc_ValueError, "shape_facts: bad n-gram range or output size");
        goto done;
    }
    for (; got_vocabularies < n_vocabularies; got_vocabularies++) {
        Vocabulary *v = &vocabularies[got_vocabularies];
        if (!PyArg_ParseTuple(PyList_GET_ITEM(vocabularies_list, got_vocabularies), "y*y*", &v->columns, &v->idf))
            goto done;
    }
    for (; got_members < n_members; got_members++) {
        Member *m = &members[got_members];
        if (!PyArg_ParseTuple(PyList_GET_ITEM(members_list, got_members), "ny*", &m->vocabulary, &m->coef))
            goto done;
        if (m->vocabulary < 0 || m->vocabulary >= n_vocabularies) {
            got_members++;
            PyErr_SetString(PyExc_ValueError, "shape_facts: a member's vocabulary is out of range");
            goto done;
        }
    }
    double *facts = (double *)out.buf;
    for (Py_ssize_t w = 0; w < n_words; w++) {
        PyObject *word = PyList_GET_ITEM(words, w);
        if (!PyUnicode_Check(word)) {
            PyErr_Format(PyExc_TypeError, "shape_facts: word %zd is not a str", w);
            goto done;
        }
        /* The word padded with a space on each side, as scikit-learn's char_wb pads it. */
        Py_ssize_t length = PyUnicode_GET_LENGTH(word) + 2, needed = 0;
        int kind = PyUnicode_KIND(word);
        const void *data = PyUnicode_DATA(word);
        for (Py_ssize_t n = low; n <= high; n++)
            needed += length - n + 1 > 1 ? length - n + 1 : 1;
        if (needed > capacity) {
            capacity = 2 * needed;
            free(found), free(values), free(columns);
            found = malloc(capacity * sizeof(long long));
            values = malloc(capacity * sizeof(double));
            columns = malloc(capacity * sizeof(long long));
            if (found == NULL || values == NULL || columns == NULL) {
                PyErr_NoMemory();
                goto done;
            }
        }
        /* The union ids of the word's known n-grams, n by n (a padded word shorter than n is one n-gram). */
        Py_ssize_t count = 0;
        Py_UCS4 gram[MAX_GRAM];
        for (Py_ssize_t n = low; n <= high; n++) {
            Py_ssize_t starts = length - n + 1 > 1 ? length - n + 1 : 1;
            for (Py_ssize_t i = 0; i < starts; i++) {
                int size = (int)(i + n <= length ? n : length - i);
                for (int c = 0; c < size; c++) {
                    Py_ssize_t at = i + c;  /* in the padded word */
                    gram[c] = at == 0 || at == length - 1 ? ' ' : PyUnicode_READ(kind, data, at - 1);
                }
                long long id = table_find(ids, gram, size);
                if (id >= 0)
                    found[count++] = id;
            }
        }
        for (Py_ssize_t i = 1; i < count; i++) {  /* insertion sort: a word has a few dozen n-grams */
            long long id = found[i];
            Py_ssize_t j = i;
            for (; j > 0 && found[j - 1] > id; j--)
                found[j] = found[j - 1];
            found[j] = id;
        }
        for (Py_ssize_t v = 0; v < n_vocabularies; v++) {
            const long long *vocabulary_columns = (const long long *)vocabularies[v].columns.buf;
            const double *idf = (const double *)vocabularies[v].idf.buf;
            Py_ssize_t union_size = vocabularies[v].columns.len / (Py_ssize_t)sizeof(long long);
            Py_ssize_t known = 0;
            double squares = 0.0;
            for (Py_ssize_t i = 0; i < count;) {
                Py_ssize_t j = i;
                while (j < count && found[j] == found[i])
                    j++;
                if (found[i] < 0 || found[i] >= union_size) {
                    PyErr_SetString(PyExc_ValueError, "shape_facts: an n-gram id outside the union");
                    goto done;
                }
                long long column = vocabulary_columns[found[i]];
                if (column >= 0) {
                    double tf = sublinear && j - i > 1 ? log((double)(j - i)) + 1.0 : (double)(j - i);  /* log(1) + 1 is 1 */
                    values[known] = tf * idf[column];
                    columns[known] = column;
                    squares += values[known] * values[known];
                    known++;
                }
                i = j;
            }
            double norm = sqrt(squares);
            for (Py_ssize_t k = 0; k < known; k++)
                values[k] /= norm;
            for (Py_ssize_t m = 0; m < n_members; m++) {
                if (members[m].vocabulary != v)
                    continue;
                const double *coef = (const double *)members[m].coef.buf;
                double share = 0.0;
                for (Py_ssize_t k = 0; k < known; k++)
                    share += values[k] * coef[columns[k]];
                facts[(2 * m) * n_words + w] = share;
                facts[(2 * m + 1) * n_words + w] = (double)known;
            }
        }
    }
    result = Py_None;
    Py_INCREF(result);
done:
    for (Py_ssize_t v = 0; v < got_vocabularies; v++) {
        PyBuffer_Release(&vocabularies[v].columns);
        PyBuffer_Release(&vocabularies[v].idf);
    }
    for (Py_ssize_t m = 0; m < got_members; m++)
        PyBuffer_Release(&members[m].coef);
    free(vocabularies), free(members), free(found), free(values), free(columns);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"table", table, METH_VARARGS, "A hash table of n-grams by their characters (see the module source)."},
    {"shape_facts", shape_facts, METH_VARARGS, "Each member's share of each word and its known n-grams (see the module source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_shapes", "The word-shapes block's per-word facts, in C.", -1, methods};

PyMODINIT_FUNC PyInit__shapes(void) { return PyModule_Create(&module); }
