#pragma once
// Where training data may read images from. A data line's frames are paths relative to the image
// root (--image-root; by default the folder of the data file that names them). A frame that leads
// out of the root, whether by "..", as an absolute path or through a symlink, is refused as such
// unless the policy allows it, and the refusal is the same whether or not the file outside exists,
// so data files cannot probe the machine (no "not a PNG" for /etc/shadow). A root that is itself a
// symlink is fine: it is resolved before comparing. Plain C++ (no torch); any thread.
#include <string>

namespace vora::training {

struct ImageRootPolicy {
    std::string root;          // "" = the data file's folder
    bool allowOutside = false; // --allow-images-outside-root
};

struct ResolvedFrame {
    std::string path;    // the file to open; empty when refused
    std::string refusal; // why the frame may not be read (it leads outside the root)

    bool refused() const { return !refusal.empty(); }
};

// dataFile: the file whose line names frame (its folder is the default root).
ResolvedFrame resolveFrame(const std::string& frame, const std::string& dataFile, const ImageRootPolicy& policy);

} // namespace vora::training
