#pragma once
// The stored form of an AnswerAttention: one compact blob (a short header, then the float16 grids as
// raw little-endian bits), kept in the database's answer_attention table (ConversationStore). Decoding
// checks every count against the bytes present: a damaged blob is refused with the field that is wrong.
#include "app/attention/answer_attention.h"

#include <QByteArray>

namespace vora::app {

inline constexpr quint32 kAttentionBlobVersion = 1;

QByteArray encodeAttention(const AnswerAttention& attention);
// Throws std::runtime_error naming the field that does not fit.
AnswerAttention decodeAttention(const QByteArray& blob);

// Bytes the grids take at the attention's detail (what encodeAttention writes, less the header).
qint64 attentionGridBytes(const AnswerAttention& attention);

// Lowers the detail (Heads -> Layers -> Mean) until the grids fit maxBytes; an answer whose mean grids
// alone are larger keeps nothing (detail Off, no tokens). maxBytes <= 0: no bound.
void boundAttention(AnswerAttention& attention, qint64 maxBytes);

} // namespace vora::app
