#pragma once
// From core's capture to the app's AnswerAttention: asks core's AttentionRecorder for the detail the
// preference sets, then turns what it recorded into float16 grids with each token's text and each
// image's geometry. Inference worker thread (EngineChatBackend); no torch here or in the .cpp.
#include "app/attention/answer_attention.h"

#include <QStringList>

#include <memory>
#include <vector>

namespace vora::core {
class AttentionRecorder;
struct PreparedImage;
}

namespace vora::app {

// A recorder of every layer at the detail asked for; nullptr for AttentionDetailLevel::Off.
std::unique_ptr<core::AttentionRecorder> makeAttentionRecorder(AttentionDetailLevel detail);

// images: the prompt's images in order (as the recorder saw them); tokenTexts: each generated
// token's text, in order (tokens past the shorter of the two lists are dropped).
AnswerAttention answerAttentionFromCapture(const core::AttentionRecorder& recorder,
                                           const std::vector<core::PreparedImage>& images,
                                           const QStringList& tokenTexts, int kvHeads);

} // namespace vora::app
