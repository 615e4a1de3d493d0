#pragma once
// Dialog buttons say what they do ("Delete", "Save") and carry no style icons: the Fusion and KDE
// styles put stock icons (a floppy, a red cross) on standard dialog buttons, which the app's own icon
// set does not use. GUI thread only.
class QDialogButtonBox;
class QMessageBox;

namespace vora::ui {

void useTextOnlyButtons(QDialogButtonBox* buttons);
void useTextOnlyButtons(QMessageBox* box);

} // namespace vora::ui
