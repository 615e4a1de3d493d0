#pragma once
// Where an answer looked: its tokens as focusable chips; the chosen (clicked, hovered or scrubbed)
// token's attention drawn over the ORIGINAL image of each image in context, with layer and head
// selection, colour map, opacity, normalisation and a legend; or, as the aggregation "Rollout", the
// answer's rollout computed on demand by the model's worker (RolloutRequester) through the layer range
// chosen in the same From/To boxes (by default the vision-LoRA layers). Reads only app/ types
// (AnswerAttention, attention_selection.h, attention_overlay.h, rollout_requester.h); opened from an
// assistant message.
#include "app/attention/answer_attention.h"
#include "app/attention/attention_overlay.h"
#include "app/attention/attention_selection.h"
#include "app/attention/rollout_requester.h"

#include <QDialog>
#include <QImage>
#include <QPointer>

class QAbstractButton;
class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace vora::ui {

class AttentionViewer : public QDialog {
    Q_OBJECT
public:
    AttentionViewer(vora::app::AnswerAttention attention, QWidget* parent = nullptr);

    int currentToken() const { return m_token; }
    void showToken(int token);
    vora::app::AttentionSelection selection() const;
    QImage overlay() const { return m_overlay; } // what the panel shows now
    // Offers the aggregation "Rollout" through requester (disabled, with the reason as its tooltip,
    // while requester says it cannot compute it); without one the choice stays disabled.
    void setRolloutRequester(vora::app::RolloutRequester* requester);
    bool showingRollout() const;

    enum class Export { OverlayPng, ContactSheetPng, GridsCsv, GridsJson, AnimationApng };
    // Writes the export of the current image and selection to path; false with a message in *error.
    bool exportTo(Export kind, const QString& path, QString* error = nullptr);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    static constexpr int kPlayIntervalMs = 400;
    static QString chipText(const QString& token); // a chip's label: newlines and blanks made visible

    QWidget* buildTokens();
    QWidget* buildControls();
    void updateLayerControls();
    void onLayerBoxChanged();
    void updateRolloutChoice();
    void render();
    QString renderRollout(int image, vora::app::OverlayStyle style); // sets m_overlay, returns the legend
    QImage overlayFor(int token) const; // the current image and selection, another token
    void chooseExport(Export kind);

    vora::app::AnswerAttention m_attention;
    int m_token = 0;
    int m_shownToken = 0; // m_token, or the hovered chip's
    QList<QImage> m_images; // each image of the context as read from its file
    QImage m_overlay;

    QButtonGroup* m_chips = nullptr;
    QLabel* m_picture = nullptr;
    QLabel* m_tokenLabel = nullptr;
    QLabel* m_legendBar = nullptr;
    QLabel* m_legendText = nullptr;
    QComboBox* m_image = nullptr;
    QComboBox* m_method = nullptr; // captured at decode | rollout
    QPointer<vora::app::RolloutRequester> m_rollout;
    QComboBox* m_layerScope = nullptr;
    QSpinBox* m_firstLayer = nullptr;
    QSpinBox* m_lastLayer = nullptr;
    // The boxes serve both aggregations: captured maps index layerNumbers, rollout names decoder layers.
    // Each keeps its own values; a rollout range is asked for once the boxes rest (kRangeSettleMs).
    static constexpr int kRangeSettleMs = 350;
    std::pair<int, int> m_capturedLayers{0, 0};
    QTimer* m_rolloutRangeTimer = nullptr;
    QComboBox* m_heads = nullptr;
    QComboBox* m_colours = nullptr;
    QComboBox* m_normalise = nullptr;
    QCheckBox* m_hideSinks = nullptr;
    QSlider* m_opacity = nullptr;
    QSlider* m_scrub = nullptr;
    QPushButton* m_play = nullptr;
    QTimer* m_playTimer = nullptr;
};

} // namespace vora::ui
