"""The policykg ontology's terms as closed rdflib namespaces.

GENERATED from ontology/policykg.ttl by `policykg vocab`: do not edit by hand.
"""
from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class POL(DefinedNamespace):
    """Terms of the policykg ontology (https://w3id.org/policykg/ontology)."""

    _NS = Namespace("https://w3id.org/policykg/ontology#")
    _fail = True

    # Classes
    Administration: URIRef  # administration / 管理局: An administration of government with authority over one field.
    Area: URIRef  # area / 地区: An administrative area: a province, autonomous region, municipality, city, district or new area.
    AutonomousRegion: URIRef  # autonomous region / 自治区: An autonomous region, at the level of a province.
    City: URIRef  # city / 市: A city within a province: a sub-provincial or prefecture-level city.
    Commission: URIRef  # commission / 委员会: A commission of government, such as a development, reform or regulatory commission.
    DesignatedSite: URIRef  # designated site / 认定基地: A park, zone or base that a list designates for a purpose, such as a digital service export base or a data labelling base.
    DesignationList: URIRef  # designation list / 名单: A list by which agencies designate places, such as the first batch of digital service export bases.
    District: URIRef  # district / 区: A district of a municipality or city.
    ExportBase: URIRef  # digital service export base / 数字服务出口基地: A park or zone that a list designates as a base for the export of digital services.
    GovernmentAgency: URIRef  # government agency / 政府机构: A ministry, commission, administration or office of government.
    Law: URIRef  # law / 法律: A law adopted by the legislature, such as the Data Security Law.
    Measure: URIRef  # measure / 举措: One numbered article of a policy document — a measure table or list, or the measures, provisions, regulations or law themselves: a practical measure, with the agencies that guide it.
    MeasureCategory: URIRef  # measure category / 举措类别: A theme under which a measure table groups its measures; a SKOS concept in a concept scheme of categories.
    MeasureTable: URIRef  # measure table / 措施表: A table or list of numbered measures with the entities responsible for each, such as the Attached Table of a notice or a List of Measures.
    Ministry: URIRef  # ministry / 部: A ministry of the State Council.
    Municipality: URIRef  # municipality / 直辖市: A municipality directly under the central government, at the level of a province.
    NewArea: URIRef  # new area / 新区: A state-level new area, set up for development within a province.
    Notice: URIRef  # notice / 通知: A notice (通知) by which a government agency issues a policy, often with a plan and a table of measures as its parts.
    Office: URIRef  # office / 办公室: An office of government, such as an office of the State Council.
    PilotArea: URIRef  # pilot area / 试点地区: An area that a notice designates as a pilot area. Inferred from pol:pilotArea, never asserted by hand.
    Plan: URIRef  # plan / 方案: A plan (方案) that describes the tasks of a policy, such as the Overall Plan that a notice entails.
    PolicyDocument: URIRef  # policy document / 政策文件: Any policy text: a notice, a plan, a table of measures, a law, a list, or an analyst's policy update.
    PolicyUpdate: URIRef  # policy update / 政策简报: An analyst's summary of one or more policy documents; the source text the graph is built from.
    Province: URIRef  # province / 省: A province of the People's Republic of China.
    Region: URIRef  # region / 区域: A region that spans several areas, named as a whole by policy.
    SpecialAdministrativeRegion: URIRef  # special administrative region / 特别行政区: A special administrative region: Hong Kong or Macao.
    TextSpan: URIRef  # text span / 文本片段: A span of characters of a source document that supports an extracted fact; located by a text-position and a text-quote selector.

    # Object properties
    concernsRegion: URIRef  # concerns region / 涉及区域: A region the measure is about, e.g. where it is to be carried out.
    forerunner: URIRef  # forerunner / 先行地区: An area named as an example or forerunner in carrying out the measure.
    guidedBy: URIRef  # guided by / 指导单位: An agency that guides, formulates or supports the measure, as the measure table names it.
    hasPart: URIRef  # has part / 包含: A document has a part: a notice has its plan and measure table; a measure table has its measures.
    inCategory: URIRef  # in category / 所属类别: The theme under which the measure table lists the measure; a measure has exactly one.
    includesArea: URIRef  # includes area / 包括地区: An area that lies within the region.
    issuedBy: URIRef  # issued by / 发布机构: An agency that issued or released the document; a co-released document has several.
    lists: URIRef  # lists / 列入: A site (e.g. an export base) that the document designates by listing it.
    locatedIn: URIRef  # located in / 位于: The area that directly contains this site or area. Not transitive: query pol:locatedIn+ for every containing area.
    partOf: URIRef  # part of / 属于: The document that this document or measure is a part of; the inverse of pol:hasPart.
    pilotArea: URIRef  # pilot area / 试点地区: An area that the document (a notice, an official reply, a plan, a decision) designates as a pilot area.
    refersTo: URIRef  # refers to / 引用: A law or other document that this document refers to or builds on.
    reportsOn: URIRef  # reports on / 报道: A document that the policy update summarises.

    # Datatype properties
    articleNumber: URIRef  # article number / 条目编号: The number of the measure's article in its measure table, unique within the table.
    issuedOn: URIRef  # issued on / 发布日期: The day the document was issued or released, as an xsd:date.
    measureText: URIRef  # measure text / 举措文本: The text of the measure's article as the source states it.
    statedPilotAreaCount: URIRef  # stated pilot area count / 所述试点地区数量: The number of pilot areas that the text states for the document; it must equal the number of pilot areas listed.
    trialEnd: URIRef  # trial end / 试点结束日期: The last day of the trial period the document sets (a notice, an official reply, a plan, a decision), as an xsd:date; after pol:trialStart.
    trialStart: URIRef  # trial start / 试点开始日期: The first day of the trial period the document sets (a notice, an official reply, a plan, a decision), as an xsd:date.


#: Where policykg mints the IRIs of the things its graph describes.
ID = Namespace("https://w3id.org/policykg/id/")

__all__ = ["ID", "POL"]
