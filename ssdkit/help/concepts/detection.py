"""Help-search concepts of detection (see :mod:`ssdkit.help.concepts`).

Covers boxes, anchors, matching, NMS, detection transforms, metrics and the model zoo.

Examples
--------
>>> any("MultiBoxPrior" in targets for targets, _ in CONCEPTS)
True
"""
__all__ = ["CONCEPTS"]

CONCEPTS = (
    ("nd.contrib.box_nms nd.contrib.MultiBoxDetection boxes.box_nms",
     "remove overlapping boxes | non maximum suppression | nms | suppress duplicate detections | "
     "filter overlapping detections | deduplicate boxes | torchvision.ops.nms | batched_nms | "
     "keep highest scoring box among overlapping ones"),
    ("nd.contrib.MultiBoxDetection boxes.multibox_detection model_zoo.SSD",
     "decode ssd predictions into boxes | ssd postprocess | detections from class probabilities and box offsets | "
     "final detections of an ssd | convert network output to bounding boxes | predicted boxes with scores"),
    ("nd.contrib.MultiBoxPrior boxes.multibox_prior boxes.ssd_anchor_grid",
     "anchor boxes | default boxes | priors | prior boxes | generate anchors | anchor generator | "
     "anchors per feature map location | anchor sizes and aspect ratios | AnchorGenerator | priorbox"),
    ("nd.contrib.MultiBoxTarget boxes.multibox_target boxes.match_anchors boxes.bipartite_match",
     "ground truth matching | assign targets | match anchors to ground truth | training targets for ssd | "
     "label anchors positive negative | hard negative mining | encode ground truth boxes for training | "
     "box targets and class targets | target generator | matcher"),
    ("nd.contrib.box_iou boxes.box_iou metric.voc_iou",
     "intersection over union | iou | overlap between boxes | overlap of two sets of boxes | box overlap | "
     "jaccard overlap | box_iou | pairwise iou"),
    ("boxes.encode_boxes boxes.decode_boxes",
     "box encoding | box regression targets | decode box offsets | encode boxes relative to anchors | "
     "box coder | bbox transform | variances"),
    ("boxes.corner_to_center boxes.center_to_corner",
     "convert box format | corner to center | xyxy to xywh | center to corner | xywh to xyxy | box_convert"),
    ("boxes.box_area", "box area | area of boxes"),
    ("metric.VOC07MApMetric metric.VOCMApMetric metric.coco_eval",
     "mean average precision | map | evaluate detector | detection accuracy | pascal voc metric | "
     "voc07 11 point ap | average precision per class"),
    ("metric.coco_eval", "coco evaluation | coco map | cocoeval | pycocotools | ap at iou 0.5:0.95"),
    ("detection.SSDMultiBoxLoss", "ssd loss | multibox loss | detection loss | hard negative mining loss"),
    ("detection.SSDTargetGenerator nd.contrib.MultiBoxTarget",
     "ssd target generator | class and box targets for training | encode labels for ssd"),
    ("model_zoo.get_model_list gluon.model_zoo.vision.get_model_list",
     "list available models | names of the models | which models exist | model names list | get_model_list"),
    ("model_zoo.ToySSD", "toy ssd | tiny detector | straight dope ssd | pikachu detector | toyssd"),
    ("model_zoo.SSD", "ssd model | single shot detector | ssd network | object detector model"),
    ("model_zoo.get_model model_zoo.get_model_list",
     "detection model zoo | get model by name | pretrained detector | "
     "build a detector by name"),
    ("model_zoo.toyssd_detect", "run toyssd detection on an image | detect objects with toyssd"),
    ("gluon.loss.FocalLoss", "focal loss | class imbalance loss | retinanet loss"),
    # --- more of the API, in the words of PyTorch, Keras, TF and MXNet users ---
    ("boxes.greedy_nms boxes.box_nms", "greedy nms | reference nms loop | simple non max suppression"),
    ("model_zoo.SSD.set_nms",
     "change nms threshold of the model | set nms parameters | nms_thresh | nms_topk | post_nms | "
     "keep fewer detections | detection threshold of ssd"),
    ("boxes.anchors_per_location", "number of anchors per location | anchors per cell | num_anchors"),
    ("boxes.normalized_center_encode boxes.normalized_center_decode boxes.encode_boxes",
     "normalized center encoding | encode with variances | bbox regression targets | NormalizedBoxCenterEncoder"),
    ("boxes.multiclass_encode boxes.multiclass_decode",
     "class targets encoding | multiclass decode | per class scores to labels | MultiClassEncoder"),
    ("boxes.as_boxes", "validate boxes array | boxes as an N by 4 array"),
    ("boxes.decode_boxes boxes.normalized_center_decode",
     "apply predicted offsets to anchors | box decoder | decode regression output"),
    ("detection.data.transforms.bbox.flip image.DetHorizontalFlipAug",
     "flip bounding boxes | flip boxes horizontally | mirror boxes with the image"),
    ("detection.data.transforms.bbox.resize", "resize boxes | rescale bounding box coordinates | scale boxes"),
    ("detection.data.transforms.bbox.crop", "crop boxes | clip boxes to a crop region | drop boxes outside crop"),
    ("detection.data.transforms.bbox.translate", "translate boxes | shift boxes by an offset | move boxes"),
    ("detection.data.transforms.bbox.random_crop_with_constraints image.DetRandomCropAug",
     "ssd random crop | random crop with iou constraints | min object covered | crop keeping objects"),
    ("detection.data.transforms.image.random_expand image.DetRandomPadAug",
     "zoom out | random expand | pad image onto a larger canvas | expand augmentation"),
    ("detection.data.transforms.image.random_flip image.HorizontalFlipAug",
     "random flip image and return the flag | flip image randomly"),
    ("detection.data.transforms.image.resize_long", "resize the longer side | resize long edge"),
    ("detection.data.transforms.image.resize_short_within image.resize_short",
     "resize shorter side with a max size | resize short edge | keep aspect ratio"),
    ("detection.data.transforms.image.resize_contain", "letterbox | resize to fit and pad | keep aspect ratio and pad"),
    ("detection.data.transforms.image.random_color_distort image.ColorJitterAug",
     "color distortion | photometric distortion | random brightness contrast saturation hue"),
    ("detection.data.transforms.image.random_pca_lighting image.LightingAug",
     "pca lighting noise | alexnet lighting | eigen lighting"),
    ("detection.data.transforms.image.to_tensor",
     "to tensor | hwc to chw | transforms.ToTensor | uint8 image to float in 0 1 | channels first"),
    ("detection.data.transforms.image.normalize detection.data.transforms.image.to_normalized_tensor",
     "normalize tensor with mean and std | transforms.Normalize | scale to 0 1 and subtract the mean"),
    ("detection.data.transforms.image.paste", "paste image onto canvas"),
    ("detection.data.transforms.SSDDefaultTrainTransform",
     "ssd train transform | ssd training preprocessing | augment for ssd training"),
    ("detection.data.transforms.SSDDefaultValTransform",
     "ssd validation transform | eval transform | test time preprocessing | val transform"),
    ("detection.data.det_label_to_gluoncv", "convert labels to gluoncv format | detection label layout"),
    ("detection.data.VOCDetection.classes detection.data.COCODetection.classes",
     "class names | category names | list of classes of the dataset"),
    ("metric.voc_ap metric.voc07_ap",
     "average precision from precision and recall | area under the precision recall curve | ap of one class"),
    ("metric.voc07_ap metric.VOC07MApMetric", "11 point interpolated ap | voc2007 metric"),
    ("model_zoo.TinyVGG model_zoo.tiny_vgg model_zoo.get_backbone",
     "backbone network | vgg | base network | feature extractor backbone | resnet backbone | tiny vgg"),
    ("model_zoo.get_backbone", "backbone by name | get base network"),
    ("model_zoo.register_model", "register a custom model | add my model to the zoo | make my model available by name"),
    ("model_zoo.FeatureExtractor", "feature extractor | outputs of named layers of a network"),
    ("detection.SmoothL1Loss detection.SSDMultiBoxLoss", "smooth l1 box loss | localization loss"),
    ("image.ImageDetIter.draw_next",
     "draw boxes on image | visualize detections | show augmented images with boxes | plot bounding boxes"),
    ("image.ImageDetIter.sync_label_shape image.ImageDetIter.check_label_shape",
     "label shape of detection iterator | pad labels to same number of objects"),
    ("recordio.parse_det_label recordio.make_det_label",
     "detection label format in rec | header label with boxes | pack boxes into a record label"),
    ("datagen.render_sample", "render one synthetic sample | draw one pikachu image"),
    ("model_zoo.SSD.num_classes detection.data.VOCDetection.num_class detection.data.COCODetection.num_class",
     "number of classes | how many object classes | num_classes"),
    ("detection.data.COCODetection.get_im_aspect_ratio", "aspect ratios of the images"),
    ("detection.data.COCODetection.annotation_dir", "annotation folder | where the coco annotations are"),
    ("detection.data.transforms.image.imresize image.imresize", "resize with interpolation | cv2.resize"),
    ("model_zoo.get_model model_zoo.get_model_list",
     "ssd_300_vgg16_atrous_voc | ssd_512_resnet50_v1_voc | ssd_256_tinyvgg_voc | preset model name"),
    ("model_zoo.SSD model_zoo.get_model", "build an ssd with a backbone | ssd on top of a base network"),
    ("model_zoo.toyssd_detect nd.contrib.MultiBoxDetection",
     "run inference on an image | predict boxes for one image | detect objects in a picture"),
    ("nd.contrib.MultiBoxDetection detection.data.transforms.bbox.crop",
     "clip boxes to the image boundary | keep boxes inside the image"),
    ("detection.data.transforms.SSDDefaultTrainTransform image.CreateDetAugmenter",
     "ssd paper augmentation | expand random crop flip and color distortion"),
    ("gluon.data.batchify.Pad image.ImageDetIter", "detection labels padded with -1 | pad labels with -1"),
    ("nd.contrib.Proposal nd.contrib.MultiProposal sym.contrib.Proposal sym.contrib.MultiProposal",
     "region proposal network | rpn proposals | faster rcnn proposals | generate rois from rpn scores | "
     "proposal layer | anchors to proposals with nms | rpn_pre_nms_top_n rpn_post_nms_top_n"),
    ("nd.contrib.PSROIPooling nd.contrib.DeformablePSROIPooling sym.contrib.PSROIPooling",
     "position sensitive roi pooling | r-fcn | rfcn | psroi pooling | deformable psroi pooling | "
     "deformable r-fcn | position sensitive score maps"),
    ("nd.contrib.RROIAlign sym.contrib.RROIAlign",
     "rotated roi align | rotated boxes roi align | text detection rotated rois | rroi align | oriented box pooling"),
)
