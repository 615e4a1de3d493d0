#include "ui/attention/attention_viewer.h"

#include "app/attention/attention_overlay.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QMenu>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTimer>
#include <QVBoxLayout>

#include <stdexcept>

namespace vora::ui {

using namespace vora::app;

namespace {

constexpr int kPictureSide = 420;

} // namespace

QString AttentionViewer::chipText(const QString& token)
{
    QString text = token;
    text.replace(QLatin1Char('\n'), QStringLiteral("⏎"));
    return text.trimmed().isEmpty() ? QStringLiteral("␣") : text;
}

AttentionViewer::AttentionViewer(AnswerAttention attention, QWidget* parent)
    : QDialog(parent)
    , m_attention(std::move(attention))
{
    setObjectName(QStringLiteral("attentionViewer"));
    setWindowTitle(tr("Where the model looked"));
    for (const AttentionImage& image : m_attention.images) {
        QImage picture(image.imagePath);
        if (picture.isNull()) { // the file is gone: a neutral canvas of the original size keeps the map readable
            picture = QImage(image.originalWidth, image.originalHeight, QImage::Format_RGB32);
            picture.fill(Qt::gray);
        }
        m_images.append(picture);
    }
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildTokens());
    auto* middle = new QHBoxLayout;
    m_picture = new QLabel(this);
    m_picture->setObjectName(QStringLiteral("attentionOverlay"));
    m_picture->setMinimumSize(kPictureSide, kPictureSide);
    m_picture->setAlignment(Qt::AlignCenter);
    m_picture->setAccessibleName(tr("Attention over the image"));
    middle->addWidget(m_picture, 1);
    middle->addWidget(buildControls());
    layout->addLayout(middle, 1);

    auto* scrubRow = new QHBoxLayout;
    m_play = new QPushButton(tr("Play"), this);
    m_play->setObjectName(QStringLiteral("attentionPlay"));
    m_play->setCheckable(true);
    m_scrub = new QSlider(Qt::Horizontal, this);
    m_scrub->setObjectName(QStringLiteral("attentionScrub"));
    m_scrub->setAccessibleName(tr("Token"));
    m_scrub->setRange(0, std::max<int>(0, int(m_attention.tokens.size()) - 1));
    scrubRow->addWidget(m_play);
    scrubRow->addWidget(m_scrub, 1);
    auto* exportButton = new QPushButton(tr("Export"), this);
    exportButton->setObjectName(QStringLiteral("attentionExport"));
    auto* exportMenu = new QMenu(exportButton);
    const std::pair<Export, QString> exports[] = {
        {Export::OverlayPng, tr("This token as PNG...")},    {Export::ContactSheetPng, tr("Contact sheet PNG...")},
        {Export::AnimationApng, tr("Animation (APNG)...")}, {Export::GridsCsv, tr("Raw grids as CSV...")},
        {Export::GridsJson, tr("Raw grids as JSON...")},
    };
    for (const auto& [kind, label] : exports) {
        exportMenu->addAction(label, this, [this, kind] { chooseExport(kind); });
    }
    exportButton->setMenu(exportMenu);
    scrubRow->addWidget(exportButton);
    layout->addLayout(scrubRow);
    m_tokenLabel = new QLabel(this);
    m_tokenLabel->setObjectName(QStringLiteral("attentionTokenLabel"));
    layout->addWidget(m_tokenLabel);
    auto* legend = new QHBoxLayout;
    m_legendBar = new QLabel(this);
    m_legendText = new QLabel(this);
    m_legendText->setObjectName(QStringLiteral("attentionLegend"));
    legend->addWidget(m_legendBar);
    legend->addWidget(m_legendText, 1);
    layout->addLayout(legend);

    m_playTimer = new QTimer(this);
    m_playTimer->setInterval(kPlayIntervalMs);
    connect(m_playTimer, &QTimer::timeout, this, [this] {
        showToken(m_token + 1 < m_attention.tokens.size() ? m_token + 1 : 0);
    });
    connect(m_play, &QPushButton::toggled, this, [this](bool on) {
        m_play->setText(on ? tr("Pause") : tr("Play"));
        on ? m_playTimer->start() : m_playTimer->stop();
    });
    connect(m_scrub, &QSlider::valueChanged, this, &AttentionViewer::showToken);
    updateLayerControls();
    showToken(0);
}

QWidget* AttentionViewer::buildTokens()
{
    auto* area = new QScrollArea(this);
    area->setWidgetResizable(true);
    area->setFixedHeight(56);
    auto* strip = new QWidget(area);
    auto* row = new QHBoxLayout(strip);
    row->setContentsMargins(2, 2, 2, 2);
    m_chips = new QButtonGroup(this);
    for (int i = 0; i < m_attention.tokens.size(); ++i) {
        auto* chip = new QPushButton(chipText(m_attention.tokens[i].text), strip);
        chip->setObjectName(QStringLiteral("attentionToken%1").arg(i));
        chip->setCheckable(true);
        chip->setFlat(true);
        chip->setFocusPolicy(Qt::StrongFocus);
        chip->setAccessibleName(tr("Token %1: %2").arg(i + 1).arg(m_attention.tokens[i].text));
        chip->installEventFilter(this);
        m_chips->addButton(chip, i);
        row->addWidget(chip);
    }
    row->addStretch(1);
    connect(m_chips, &QButtonGroup::idClicked, this, &AttentionViewer::showToken);
    area->setWidget(strip);
    return area;
}

QWidget* AttentionViewer::buildControls()
{
    auto* panel = new QWidget(this);
    auto* form = new QFormLayout(panel);
    m_image = new QComboBox(panel);
    m_image->setObjectName(QStringLiteral("attentionImage"));
    for (int j = 0; j < m_attention.images.size(); ++j) {
        m_image->addItem(tr("Image %1: %2").arg(j + 1).arg(QFileInfo(m_attention.images[j].imagePath).fileName().left(12)));
    }
    form->addRow(tr("Image"), m_image);
    m_method = new QComboBox(panel);
    m_method->setObjectName(QStringLiteral("attentionMethod"));
    m_method->addItems({tr("Captured while answering"), tr("Rollout")});
    form->addRow(tr("Aggregation"), m_method);
    m_layerScope = new QComboBox(panel);
    m_layerScope->setObjectName(QStringLiteral("attentionLayerScope"));
    m_layerScope->addItems({tr("All layers"), tr("Layer range"), tr("One layer")});
    form->addRow(tr("Layers"), m_layerScope);
    const int layers = int(m_attention.layerNumbers.size());
    m_firstLayer = new QSpinBox(panel);
    m_firstLayer->setObjectName(QStringLiteral("attentionFirstLayer"));
    m_lastLayer = new QSpinBox(panel);
    m_lastLayer->setObjectName(QStringLiteral("attentionLastLayer"));
    for (QSpinBox* box : {m_firstLayer, m_lastLayer}) {
        box->setRange(0, std::max(0, layers - 1));
    }
    m_lastLayer->setValue(std::max(0, layers - 1));
    m_capturedLayers = {0, std::max(0, layers - 1)};
    m_rolloutRangeTimer = new QTimer(this);
    m_rolloutRangeTimer->setSingleShot(true);
    m_rolloutRangeTimer->setInterval(kRangeSettleMs);
    connect(m_rolloutRangeTimer, &QTimer::timeout, this, [this] {
        if (showingRollout() && m_rollout) {
            m_rollout->request(m_firstLayer->value(), m_lastLayer->value());
            updateLayerControls(); // the range as the requester took it (in order, within the model)
            render();
        }
    });
    form->addRow(tr("From layer"), m_firstLayer);
    form->addRow(tr("To layer"), m_lastLayer);
    m_heads = new QComboBox(panel);
    m_heads->setObjectName(QStringLiteral("attentionHeads"));
    m_heads->addItem(tr("Mean of heads"));
    m_heads->addItem(tr("Max of heads"));
    for (int g = 0; g < m_attention.kvHeads; ++g) {
        m_heads->addItem(tr("KV group %1").arg(g + 1));
    }
    form->addRow(tr("Heads"), m_heads);
    m_hideSinks = new QCheckBox(tr("Hide sink patches"), panel);
    m_hideSinks->setObjectName(QStringLiteral("attentionHideSinks"));
    form->addRow(QString(), m_hideSinks);
    m_colours = new QComboBox(panel);
    m_colours->addItems({tr("Viridis"), tr("Cividis")});
    form->addRow(tr("Colours"), m_colours);
    m_normalise = new QComboBox(panel);
    m_normalise->setObjectName(QStringLiteral("attentionNormalise"));
    m_normalise->addItems({tr("Per token"), tr("Across the answer")});
    form->addRow(tr("Scale"), m_normalise);
    m_opacity = new QSlider(Qt::Horizontal, panel);
    m_opacity->setObjectName(QStringLiteral("attentionOpacity"));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(60);
    form->addRow(tr("Opacity"), m_opacity);

    if (m_attention.detail != AttentionDetailLevel::Heads) {
        m_heads->setToolTip(tr("Per-head maps need the attention detail \"heads\" in Preferences."));
    }
    updateRolloutChoice();
    const auto rerender = [this] { render(); };
    connect(m_method, &QComboBox::currentIndexChanged, this, [this] {
        if (showingRollout() && m_rollout) {
            m_rollout->request();
        }
        updateLayerControls();
        render();
    });
    connect(m_image, &QComboBox::currentIndexChanged, this, rerender);
    connect(m_layerScope, &QComboBox::currentIndexChanged, this, [this] {
        updateLayerControls();
        render();
    });
    connect(m_firstLayer, &QSpinBox::valueChanged, this, &AttentionViewer::onLayerBoxChanged);
    connect(m_lastLayer, &QSpinBox::valueChanged, this, &AttentionViewer::onLayerBoxChanged);
    connect(m_heads, &QComboBox::currentIndexChanged, this, rerender);
    connect(m_hideSinks, &QCheckBox::toggled, this, rerender);
    connect(m_colours, &QComboBox::currentIndexChanged, this, rerender);
    connect(m_normalise, &QComboBox::currentIndexChanged, this, rerender);
    connect(m_opacity, &QSlider::valueChanged, this, rerender);
    return panel;
}

void AttentionViewer::onLayerBoxChanged()
{
    if (showingRollout()) {
        m_rolloutRangeTimer->start(); // one pass for where the boxes come to rest, not one per step
        return;
    }
    m_capturedLayers = {m_firstLayer->value(), m_lastLayer->value()};
    render();
}

void AttentionViewer::updateLayerControls()
{
    const int scope = m_layerScope->currentIndex();
    const bool captured = !showingRollout(); // rollout has no head choice and its own layer range
    const QSignalBlocker blockFirst(m_firstLayer);
    const QSignalBlocker blockLast(m_lastLayer);
    const RolloutSource* source = m_rollout ? m_rollout->source() : nullptr;
    if (captured) {
        const int layers = int(m_attention.layerNumbers.size());
        for (QSpinBox* box : {m_firstLayer, m_lastLayer}) {
            box->setRange(0, std::max(0, layers - 1));
            box->setToolTip(QString());
        }
        m_firstLayer->setValue(m_capturedLayers.first);
        m_lastLayer->setValue(m_capturedLayers.second);
        m_firstLayer->setEnabled(scope != 0);
        m_lastLayer->setEnabled(scope == 1);
    } else {
        // The boxes show the range the rollout is about (also while they cannot change it).
        const int layers = source ? std::max(source->layers, source->lastLayer + 1) : 1;
        for (QSpinBox* box : {m_firstLayer, m_lastLayer}) {
            box->setRange(0, std::max(0, layers - 1));
            box->setEnabled(source != nullptr);
            box->setToolTip(tr("Decoder layers the rollout goes through; a new range runs the model over the prompt "
                               "and answer again."));
        }
        m_firstLayer->setValue(m_rollout ? m_rollout->range().first : 0);
        m_lastLayer->setValue(m_rollout ? m_rollout->range().second : 0);
    }
    const bool hasLayers = m_attention.detail == AttentionDetailLevel::Layers || m_attention.detail == AttentionDetailLevel::Heads;
    m_layerScope->setEnabled(captured && hasLayers);
    m_hideSinks->setEnabled(captured && hasLayers);
    m_heads->setEnabled(captured && m_attention.detail == AttentionDetailLevel::Heads);
}

void AttentionViewer::setRolloutRequester(RolloutRequester* requester)
{
    m_rollout = requester;
    if (requester) {
        connect(requester, &RolloutRequester::stateChanged, this, [this] { render(); });
        connect(requester, &RolloutRequester::availabilityChanged, this, &AttentionViewer::updateRolloutChoice);
    }
    updateRolloutChoice();
    updateLayerControls();
}

bool AttentionViewer::showingRollout() const
{
    return m_method && m_method->currentIndex() == 1;
}

void AttentionViewer::updateRolloutChoice()
{
    const QString reason = m_rollout ? m_rollout->unavailableReason() : tr("Rollout is not available in this window.");
    QStandardItem* item = qobject_cast<QStandardItemModel*>(m_method->model())->item(1);
    item->setEnabled(reason.isEmpty());
    item->setToolTip(reason.isEmpty() ? tr("Attention rolled out through the layers (a second pass over prompt and answer).")
                                      : reason);
    m_method->setToolTip(reason.isEmpty() ? QString() : tr("Rollout: %1").arg(reason));
}

AttentionSelection AttentionViewer::selection() const
{
    AttentionSelection selection;
    selection.layers = LayerScope(m_layerScope->currentIndex());
    selection.firstLayer = std::min(m_firstLayer->value(), m_lastLayer->value());
    selection.lastLayer = std::max(m_firstLayer->value(), m_lastLayer->value());
    const int heads = m_heads->currentIndex();
    selection.heads = heads == 0 ? HeadAggregation::Mean : heads == 1 ? HeadAggregation::Max : HeadAggregation::KvGroup;
    selection.kvGroup = std::max(0, heads - 2);
    selection.hideSinks = m_hideSinks->isChecked();
    return selection;
}

void AttentionViewer::showToken(int token)
{
    if (token < 0 || token >= m_attention.tokens.size()) {
        return;
    }
    m_token = m_shownToken = token;
    if (QAbstractButton* chip = m_chips->button(token)) {
        chip->setChecked(true);
    }
    if (m_scrub->value() != token) {
        m_scrub->setValue(token);
    }
    render();
}

bool AttentionViewer::eventFilter(QObject* watched, QEvent* event)
{
    const int chip = m_chips ? m_chips->id(qobject_cast<QAbstractButton*>(watched)) : -1;
    if (chip >= 0 && (event->type() == QEvent::Enter || event->type() == QEvent::Leave)) {
        m_shownToken = event->type() == QEvent::Enter ? chip : m_token; // hover previews, leaving returns
        render();
    }
    return QDialog::eventFilter(watched, event);
}

void AttentionViewer::render()
{
    if (m_attention.isEmpty() || !m_picture) {
        return;
    }
    const int image = std::max(0, m_image->currentIndex());
    const AttentionToken& token = m_attention.tokens[m_shownToken];
    OverlayStyle style;
    style.colours = ColourMap(m_colours->currentIndex());
    style.opacity = m_opacity->value() / 100.0;
    QString scale;
    if (showingRollout()) {
        scale = renderRollout(image, style);
    } else {
        try {
            const AttentionSelection chosen = selection();
            const std::vector<float> grid = selectedGrid(m_attention, m_shownToken, image, chosen);
            const bool acrossAnswer = m_normalise->currentIndex() == 1;
            style.maximum = acrossAnswer ? answerMaximum(m_attention, image, chosen) : 0.0f;
            const float top = style.maximum > 0 ? style.maximum : *std::max_element(grid.begin(), grid.end());
            m_overlay = renderAttentionOverlay(m_images[image], m_attention.images[image], grid, style);
            scale = tr("0 to %1 (%2 of this token's attention on one patch); scaled %3")
                        .arg(double(top), 0, 'g', 3)
                        .arg(QLocale().toString(top * 100.0, 'f', 1) + QLatin1Char('%'))
                        .arg(acrossAnswer ? tr("across the whole answer") : tr("per token"));
        } catch (const std::invalid_argument& error) {
            m_overlay = m_images[image];
            scale = QString::fromUtf8(error.what());
        }
    }
    m_picture->setPixmap(QPixmap::fromImage(m_overlay.scaled(kPictureSide, kPictureSide, Qt::KeepAspectRatio,
                                                             Qt::SmoothTransformation)));
    m_legendBar->setPixmap(QPixmap::fromImage(colourBar(style.colours, 160, 12)));
    m_legendText->setText(scale);
    const QString tokenText = tr("Token %1 of %2: \"%3\"").arg(m_shownToken + 1).arg(m_attention.tokens.size()).arg(token.text.toHtmlEscaped());
    m_tokenLabel->setText(showingRollout() ? tokenText
                                           : tr("%1; %2% of its attention went to images")
                                                 .arg(tokenText, QLocale().toString(double(token.imageShare) * 100.0, 'f', 1)));
}

QString AttentionViewer::renderRollout(int image, OverlayStyle style)
{
    m_overlay = m_images[image];
    if (!m_rollout) {
        return tr("Rollout is not available in this window.");
    }
    switch (m_rollout->state()) {
    case RolloutRequester::State::Idle:
        return m_rollout->unavailableReason();
    case RolloutRequester::State::Computing:
        return tr("Computing rollout…");
    case RolloutRequester::State::Failed:
        return tr("Rollout failed: %1").arg(m_rollout->error());
    case RolloutRequester::State::Ready:
        break;
    }
    try {
        const AnswerRollout& rollout = m_rollout->rollout();
        const std::vector<float> grid = rolloutGrid(rollout, m_attention, m_shownToken, image);
        const bool acrossAnswer = m_normalise->currentIndex() == 1;
        style.maximum = acrossAnswer ? rolloutMaximum(rollout, m_attention, image) : 0.0f;
        const float top = style.maximum > 0 ? style.maximum : *std::max_element(grid.begin(), grid.end());
        m_overlay = renderAttentionOverlay(m_images[image], m_attention.images[image], grid, style);
        const RolloutSource* source = m_rollout->source();
        const bool every = source && rollout.firstLayer == 0 && rollout.lastLayer == std::max(source->layers, source->lastLayer + 1) - 1;
        const bool vision = source && source->visionLayers && rollout.firstLayer == source->firstLayer
            && rollout.lastLayer == source->lastLayer;
        const QString which = vision ? tr(" (the vision-LoRA layers)") : every ? tr(" (every layer)") : QString();
        return tr("Rollout over layers %1-%2%3, 0 to %4; scaled %5. The image share does not apply: a rolled-out "
                  "row mixes in the residual of every layer.")
            .arg(rollout.firstLayer)
            .arg(rollout.lastLayer)
            .arg(which)
            .arg(double(top), 0, 'g', 3)
            .arg(acrossAnswer ? tr("across the whole answer") : tr("per token"));
    } catch (const std::invalid_argument& error) {
        return QString::fromUtf8(error.what());
    }
}

QImage AttentionViewer::overlayFor(int token) const
{
    const int image = std::max(0, m_image->currentIndex());
    OverlayStyle style;
    style.colours = ColourMap(m_colours->currentIndex());
    style.opacity = m_opacity->value() / 100.0;
    const bool acrossAnswer = m_normalise->currentIndex() == 1;
    if (showingRollout()) { // only a computed rollout can be exported (exportTo checks)
        const AnswerRollout& rollout = m_rollout->rollout();
        style.maximum = acrossAnswer ? rolloutMaximum(rollout, m_attention, image) : 0.0f;
        return renderAttentionOverlay(m_images[image], m_attention.images[image], rolloutGrid(rollout, m_attention, token, image), style);
    }
    if (acrossAnswer) {
        style.maximum = answerMaximum(m_attention, image, selection());
    }
    return renderAttentionOverlay(m_images[image], m_attention.images[image],
                                  selectedGrid(m_attention, token, image, selection()), style);
}

} // namespace vora::ui
